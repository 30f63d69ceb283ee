import { describe, expect, it } from "vitest";
import { SlogateError } from "../errors.ts";
import {
  escapeRegex,
  formatMatcher,
  formatMatchers,
  isValidLabelName,
  quotePromqlString,
} from "./matchers.ts";

describe("label matchers", () => {
  it.each([
    ["rollouts_pod_template_hash", true],
    ["_private", true],
    ["a1", true],
    ["1a", false],
    ["rollouts-pod-template-hash", false],
    ["", false],
    ['x"}', false],
  ])("label name %j is valid: %s", (name, ok) => {
    expect(isValidLabelName(name)).toBe(ok);
  });

  it.each([
    ["plain", '"plain"'],
    ['x"}) or vector(1) #', '"x\\"}) or vector(1) #"'],
    ["back\\slash", '"back\\\\slash"'],
    ["new\nline", '"new\\nline"'],
    ["\u0000nul", '"\\x00nul"'],
  ])("quotes %j as %s", (value, quoted) => {
    expect(quotePromqlString(value)).toBe(quoted);
  });

  it("formats matchers and rejects bad names", () => {
    expect(
      formatMatchers([
        { name: "job", op: "=", value: "api" },
        { name: "pod", op: "=~", value: `${escapeRegex("web.1")}-.*` },
      ]),
    ).toBe('job="api",pod=~"web\\\\.1-.*"');
    expect(() => formatMatcher({ name: "bad-name", op: "=", value: "x" })).toThrow(SlogateError);
  });
});
