import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { scanMatrix } from "./matrix-scan.ts";
import { parseQueryData, readEnvelope } from "./wire.ts";

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

/** What the general path (JSON.parse + wire checks) makes of a body, as sample arrays. */
function general(text: string) {
  const env = readEnvelope(JSON.parse(text));
  if (!env.ok) throw new Error("error envelope");
  const r = parseQueryData(env.data);
  if (r.type !== "matrix") throw new Error(r.type);
  return r.series.map((s) => ({
    labels: s.labels,
    times: Float64Array.from(s.points, (p) => p.t),
    values: Float64Array.from(s.points, (p) => p.v),
  }));
}

const body = (result: string): string =>
  `{"status":"success","data":{"resultType":"matrix","result":[${result}]}}`;

describe("one-pass decoding of raw-sample answers", () => {
  it.each([
    ["no series", body("")],
    ["a series without samples", body('{"metric":{},"values":[]}')],
    [
      "integer and fractional times and values",
      body(
        '{"metric":{"__name__":"x","le":"0.25","pod":"a-1"},"values":[[1700000000,"0"],[1700000015.123,"12.5"],[1700000030.5,"-3"]]},{"metric":{"le":"+Inf"},"values":[[1700000000,"7"]]}',
      ),
    ],
    [
      "special, exponent and non-plain values",
      body(
        '{"metric":{"a":"b"},"values":[[1,"NaN"],[2,"+Inf"],[3,"-Inf"],[4,"1e+06"],[5,"1.5e-7"],[6,"-0"],[7,"01"],[8,"1."],[9,".5"]]}',
      ),
    ],
    [
      "long decimals",
      body('{"metric":{"a":"b"},"values":[[1,"0.1234567890123456789"],[2,"12345678901234567"]]}'),
    ],
    ["non-ASCII label values", body('{"metric":{"a":"café ☕"},"values":[[1,"1"]]}')],
    ["a trailing newline", `${body('{"metric":{"a":"b"},"values":[[1,"1"]]}')}\n`],
  ])("decodes %s to exactly what JSON.parse and the wire checks give", (_name, text) => {
    const got = scanMatrix(bytes(text));
    expect(got).toBeDefined();
    expect(got).toEqual(general(text));
  });

  it.each([
    ["whitespace", '{ "status":"success","data":{"resultType":"matrix","result":[]}}'],
    ["warnings", '{"status":"success","data":{"resultType":"matrix","result":[]},"warnings":["w"]}'],
    ["a vector", '{"status":"success","data":{"resultType":"vector","result":[]}}'],
    ["an escaped label", body('{"metric":{"a":"x\\"y"},"values":[[1,"1"]]}')],
    ["an exponent time", body('{"metric":{},"values":[[1e9,"1"]]}')],
    ["a bad value", body('{"metric":{},"values":[[1,"abc"]]}')],
    ["a lone minus value", body('{"metric":{},"values":[[1,"-"]]}')],
    ["a number value", body('{"metric":{},"values":[[1,1]]}')],
    ["a leading zero", body('{"metric":{},"values":[[01,"1"]]}')],
    ["a __proto__ label", body('{"metric":{"__proto__":"x"},"values":[]}')],
    ["native histograms", body('{"metric":{},"histograms":[]}')],
    ["a truncated body", body('{"metric":{},"values":[[1,"1"]').slice(0, -3)],
    ["trailing garbage", `${body("")}x`],
    [
      "invalid UTF-8",
      '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"a":"\xff"},"values":[]}]}}',
    ],
  ])("leaves a body with %s to the general path", (_name, text) => {
    const b = _name === "invalid UTF-8" ? Uint8Array.from(text, (c) => c.charCodeAt(0)) : bytes(text);
    expect(scanMatrix(b)).toBeUndefined();
  });

  it("gives the same doubles as Number() for any decimal it accepts", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: 4_000_000_000_000 }),
            fc.integer({ min: 0, max: 3 }),
            fc.double({ noNaN: true, noDefaultInfinity: true }),
            fc.boolean(),
          ),
          { maxLength: 30 },
        ),
        (samples) => {
          const values = samples
            .map(([ms, digits, v, plain], i) => {
              const t = digits === 0 ? String(Math.floor(ms / 1000)) : (ms / 1000).toFixed(digits);
              const value = plain ? (Math.round(v) % 1e9).toFixed(i % 7) : String(v);
              return `[${t},${JSON.stringify(value)}]`;
            })
            .join(",");
          const text = body(`{"metric":{"a":"b"},"values":[${values}]}`);
          const got = scanMatrix(bytes(text));
          expect(got).toEqual(general(text));
        },
      ),
      { numRuns: 300 },
    );
  });
});
