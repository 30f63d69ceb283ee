import { describe, expect, it } from "vitest";
import { WireShapeError, parseQueryData, parseSampleValue, readEnvelope } from "./wire.ts";

describe("Prometheus wire format", () => {
  it.each([
    ["1.5", 1.5],
    ["0", 0],
    ["NaN", NaN],
    ["+Inf", Infinity],
    ["-Inf", -Infinity],
    ["1e-7", 1e-7],
  ])("parses the sample value %j", (s, want) => {
    expect(parseSampleValue(s)).toBe(want);
  });

  it.each([[""], ["abc"], [1.5], [null]])("rejects the sample value %j", (s) => {
    expect(() => parseSampleValue(s)).toThrow(WireShapeError);
  });

  it("reads each result type", () => {
    expect(
      parseQueryData({ resultType: "vector", result: [{ metric: { a: "b" }, value: [10, "2"] }] }),
    ).toEqual({
      type: "vector",
      samples: [{ labels: { a: "b" }, t: 10, v: 2 }],
    });
    expect(
      parseQueryData({
        resultType: "matrix",
        result: [
          {
            metric: {},
            values: [
              [1, "1"],
              [2, "3"],
            ],
          },
        ],
      }),
    ).toEqual({
      type: "matrix",
      series: [
        {
          labels: {},
          points: [
            { t: 1, v: 1 },
            { t: 2, v: 3 },
          ],
        },
      ],
    });
    expect(parseQueryData({ resultType: "scalar", result: [5, "+Inf"] })).toEqual({
      type: "scalar",
      t: 5,
      v: Infinity,
    });
    expect(parseQueryData({ resultType: "string", result: [5, "hi"] })).toEqual({
      type: "string",
      t: 5,
      v: "hi",
    });
  });

  it.each([
    ["a missing result type", { result: [] }],
    ["an unknown result type", { resultType: "histogram", result: [] }],
    ["a vector that is not an array", { resultType: "vector", result: {} }],
    [
      "a label that is not a string",
      { resultType: "vector", result: [{ metric: { a: 1 }, value: [1, "1"] }] },
    ],
    ["a point without a value", { resultType: "matrix", result: [{ metric: {}, values: [[1]] }] }],
    ["a non-numeric time", { resultType: "scalar", result: ["x", "1"] }],
  ])("rejects %s", (_name, data) => {
    expect(() => parseQueryData(data)).toThrow(WireShapeError);
  });

  it.each([
    ["an array", []],
    ["a string", "ok"],
    ["an unknown status", { status: "maybe" }],
    ["success without data", { status: "success" }],
  ])("rejects an envelope that is %s", (_name, body) => {
    expect(() => readEnvelope(body)).toThrow(WireShapeError);
  });

  it("reads an API error envelope", () => {
    expect(readEnvelope({ status: "error", errorType: "bad_data", error: "parse error" })).toEqual({
      ok: false,
      errorType: "bad_data",
      error: "parse error",
    });
  });
});
