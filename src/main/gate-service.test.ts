import { describe, expect, it } from "vitest";
import { prometheusHeaders } from "./gate-service.ts";

describe("prometheusHeaders", () => {
  it.each([
    ["asks for uncompressed answers by default", {}, { "Accept-Encoding": "identity" }],
    [
      "keeps the configured headers",
      { "X-Scope-OrgID": "t1" },
      { "Accept-Encoding": "identity", "X-Scope-OrgID": "t1" },
    ],
    [
      "lets the configuration choose the encoding",
      { "accept-encoding": "gzip" },
      { "accept-encoding": "gzip" },
    ],
  ])("%s", (_label, configured, want) => {
    expect(prometheusHeaders(configured)).toEqual(want);
  });
});
