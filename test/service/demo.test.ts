/**
 * `slogate demo` (the README's `./run demo`) end to end: it starts its own Prometheus and
 * service, promotes the good canary, aborts the bad one and cleans up.
 */
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";

describe("slogate demo", () => {
  it("promotes the good canary and aborts the bad one, printing each look", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(["demo", "--json"], {
      stdout: (t) => void out.push(t),
      stderr: (t) => void err.push(t),
      env: {},
      cwd: process.cwd(),
      stopped: Promise.resolve(),
    });
    expect(err.join("")).toBe("");
    expect(code).toBe(0);
    const looks = out
      .join("")
      .trim()
      .split("\n")
      .map(
        (l) =>
          JSON.parse(l) as {
            service: string;
            look: number;
            verdicts: Record<string, { verdict: string; link: string }>;
          },
      );
    const good = looks.filter((l) => l.service === "shop-healthy");
    const bad = looks.filter((l) => l.service === "shop-latency");
    expect(good).toHaveLength(10);
    expect(good.every((l) => Object.values(l.verdicts).every((v) => v.verdict === "pass"))).toBe(true);
    expect(bad.at(-1)!.verdicts.latency!.verdict).toBe("fail");
    expect(bad.length).toBeLessThan(10);
    expect(good[0]!.verdicts.errors!.link).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/analyses\/[^?]+\?exp=\d+&sig=/,
    );
  });
});
