import { describe, expect, it } from "vitest";
import { tokenMatches } from "./bearer-auth.ts";

describe("tokenMatches", () => {
  const tokens = ["first-token-0123456789", "second-token-0123456789"];
  it.each([
    ["the first token", "first-token-0123456789", true],
    ["the second token", "second-token-0123456789", true],
    ["a prefix of a token", "first-token", false],
    ["a token with a suffix", "first-token-0123456789x", false],
    ["an empty string", "", false],
    ["another case", "FIRST-TOKEN-0123456789", false],
  ])("%s → %s", (_label, presented, want) => {
    expect(tokenMatches(presented, tokens)).toBe(want);
  });
  it("matches nothing when no token is configured", () => {
    expect(tokenMatches("anything", [])).toBe(false);
  });
});
