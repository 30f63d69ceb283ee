import { describe, expect, it } from "vitest";
import { PageLinks, analysisPath } from "./page-links.ts";

const SECRET = "k".repeat(32);
let clock = 1_700_000_000;
const links = new PageLinks({
  secret: SECRET,
  ttlSeconds: 3600,
  baseUrl: () => "https://slogate.example",
  now: () => clock,
});

function parts(link: string): { path: string; exp: string; sig: string } {
  const u = new URL(link);
  return { path: u.pathname, exp: u.searchParams.get("exp") ?? "", sig: u.searchParams.get("sig") ?? "" };
}

describe("PageLinks", () => {
  it("signs a link that opens its analysis until it expires", () => {
    clock = 1_700_000_000;
    const { path, exp, sig } = parts(links.link("flagger:shop/podinfo:errors:rev1"));
    expect(path).toBe("/analyses/flagger:shop/podinfo:errors:rev1");
    expect(exp).toBe(String(1_700_003_600));
    expect(links.check("flagger:shop/podinfo:errors:rev1", exp, sig)).toBe("valid");
    clock = 1_700_003_600;
    expect(links.check("flagger:shop/podinfo:errors:rev1", exp, sig)).toBe("valid");
    clock = 1_700_003_601;
    expect(links.check("flagger:shop/podinfo:errors:rev1", exp, sig)).toBe("expired");
  });

  it.each([
    ["another analysis", (p: { exp: string; sig: string }) => ["other", p.exp, p.sig]],
    ["a later expiry", (p: { exp: string; sig: string }) => ["a1", String(Number(p.exp) + 86400), p.sig]],
    [
      "a changed signature",
      (p: { exp: string; sig: string }) => [
        "a1",
        p.exp,
        `${p.sig.slice(0, -1)}${p.sig.endsWith("A") ? "B" : "A"}`,
      ],
    ],
    ["a truncated signature", (p: { exp: string; sig: string }) => ["a1", p.exp, p.sig.slice(0, 20)]],
    ["a non-numeric expiry", (p: { exp: string; sig: string }) => ["a1", "soon", p.sig]],
    ["only a signature", (p: { exp: string; sig: string }) => ["a1", undefined, p.sig]],
    ["repeated parameters", (p: { exp: string; sig: string }) => ["a1", [p.exp, p.exp], p.sig]],
  ])("refuses a link for %s", (_l, tamper) => {
    clock = 1_700_000_000;
    const p = parts(links.link("a1"));
    const [id, exp, sig] = tamper(p) as [string, unknown, unknown];
    expect(links.check(id, exp, sig)).toBe("invalid");
  });

  it("refuses a link signed with another secret", () => {
    const other = new PageLinks({
      secret: "z".repeat(32),
      ttlSeconds: 3600,
      baseUrl: () => "",
      now: () => clock,
    });
    const p = parts(`http://x${other.path("a1")}`);
    expect(links.check("a1", p.exp, p.sig)).toBe("invalid");
  });

  it("reports a link without signature as missing", () => {
    expect(links.check("a1", undefined, undefined)).toBe("missing");
  });

  it("keeps ids readable in paths and encodes what must be", () => {
    expect(analysisPath("ns/name:slo")).toBe("/analyses/ns/name:slo");
    expect(analysisPath("a b?c#d")).toBe("/analyses/a%20b%3Fc%23d");
  });

  it("refuses an empty secret", () => {
    expect(() => new PageLinks({ secret: "", ttlSeconds: 1, baseUrl: () => "", now: () => 0 })).toThrow(
      /secret/,
    );
  });
});
