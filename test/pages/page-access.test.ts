/**
 * Who may open which page, over real HTTP against the service (SQLite store, the wiring of
 * `slogate serve`), with and without `auth.tokens`, on a clock the test moves: signed links
 * open their analysis until they expire; bad and expired signatures are refused in both
 * modes; refusals are HTML for browsers and JSON for API clients; ids with `/` and `:` survive
 * the link. Analyses are written straight into the service's store (no Prometheus is read).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GateService } from "../../src/main/gate-service.ts";
import { failingAnalysis, type StoredAnalysis } from "../../src/report/testdata/analyses.ts";
import { errorSlo } from "../../src/judge/testdata/slo-fixtures.ts";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startHarnessService } from "../../src/testbed/service-harness.ts";

const TOKEN = "access-test-token-0123456789";
const TTL = 3600;
let clock = 1_800_000_000;
const services: GateService[] = [];

async function store(gate: GateService, s: StoredAnalysis, id: string): Promise<void> {
  const {
    looks: _n,
    lastVerdict: _v,
    judgeState: _j,
    status: _s,
    outcome: _o,
    closedAt: _c,
    lastLookAt: _l,
    ...rest
  } = s.analysis;
  await gate.store.createAnalysis({ ...rest, id, sloId: errorSlo().id });
  for (const l of s.looks)
    await gate.store.appendLook({ ...l, analysisId: id }, { judgeState: {}, updatedAt: l.at });
}

async function start(tokens: readonly string[]): Promise<GateService> {
  const slos = mkdtempSync(join(tmpdir(), "slogate-access-slos-"));
  writeFileSync(
    join(slos, "checkout.yaml"),
    `apiVersion: slogate.dev/v1
kind: ServiceLevels
service: checkout
slos:
  - name: errors
    objective: "< 1%"
    sli:
      events:
        errors: sum(rate(http_requests_total{code=~"5..",{{.selector}}}[{{.window}}]))
        total: sum(rate(http_requests_total{{{.selector}}}[{{.window}}]))
`,
  );
  const gate = await startHarnessService({
    prometheusUrl: "http://127.0.0.1:9", // never read: analyses are stored directly
    slosDir: slos,
    tokens,
    now: () => clock,
    // Fixture analyses are years older than the clock: keep retention from deleting them.
    configYaml: `pages: {linkTtl: ${TTL}s}\nretention: {analyses: 100000d, baselines: 100000d}`,
  });
  services.push(gate);
  const s = failingAnalysis();
  await store(gate, s, "a1");
  await store(gate, s, "flagger:shop:podinfo:checkout-errors:rev1");
  return gate;
}

let open: GateService;
let guarded: GateService;
beforeAll(async () => {
  open = await start([]);
  guarded = await start([TOKEN]);
});
afterAll(async () => {
  for (const s of services) await s.close();
});

const html = { accept: "text/html,application/xhtml+xml" };
const json = { accept: "application/json" };

async function get(url: string, headers: Record<string, string> = html) {
  const r = await fetch(url, { headers });
  return { status: r.status, headers: r.headers, text: await r.text() };
}

describe("analysis page access", () => {
  it.each([
    ["without auth", () => open],
    ["with auth", () => guarded],
  ])("a signed link opens its analysis %s, with a strict CSP, until it expires", async (_l, gate) => {
    clock = 1_800_000_000;
    const link = gate().deps.link("a1");
    expect(link).toMatch(new RegExp(`^${gate().url}/analyses/a1\\?exp=${clock + TTL}&sig=[\\w-]{43}$`));
    const ok = await get(link);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toMatch(/^text\/html/);
    expect(ok.headers.get("content-security-policy")).toMatch(
      /^default-src 'none'; style-src 'sha256-[\w+/=]+'/,
    );
    expect(ok.headers.get("referrer-policy")).toBe("no-referrer");
    expect(ok.headers.get("cache-control")).toBe("no-store");
    expect(ok.text).toContain('data-verdict="fail"');
    clock += TTL + 1;
    const late = await get(link);
    expect(late.status).toBe(401);
    expect(late.text).toMatch(/this link expired at 2027-01-15T/);
    const lateJson = await get(link, json);
    expect(JSON.parse(lateJson.text)).toMatchObject({ verdict: null, error: { code: "UNAUTHORIZED" } });
  });

  it.each([
    ["without auth", () => open],
    ["with auth", () => guarded],
  ])("a tampered link is refused %s", async (_l, gate) => {
    clock = 1_800_000_000;
    const u = new URL(gate().deps.link("a1"));
    u.pathname = "/analyses/flagger:shop:podinfo:checkout-errors:rev1";
    const r = await get(u.toString());
    expect(r.status).toBe(401);
    expect(r.text).toMatch(/signature is not valid for this analysis/);
    expect(r.text).not.toContain("data-verdict");
  });

  it("an unsigned link opens without auth and is refused with auth, unless the bearer token is sent", async () => {
    expect((await get(`${open.url}/analyses/a1`)).status).toBe(200);
    const refused = await get(`${guarded.url}/analyses/a1`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(refused.text).toMatch(/needs a signed link or a bearer token/);
    expect(
      (await get(`${guarded.url}/analyses/a1`, { ...html, authorization: `Bearer ${TOKEN}` })).status,
    ).toBe(200);
    expect(
      (await get(`${guarded.url}/analyses/a1`, { ...html, authorization: "Bearer wrong-token-0123456789" }))
        .status,
    ).toBe(401);
  });

  it("keeps ids with '/' and ':' through the link", async () => {
    clock = 1_800_000_000;
    const id = "flagger:shop:podinfo:checkout-errors:rev1";
    const link = guarded.deps.link(id);
    expect(new URL(link).pathname).toBe(`/analyses/${id}`);
    const r = await get(link);
    expect(r.status).toBe(200);
    expect(r.text).toContain("Analysis flagger:shop:podinfo:checkout-errors:rev1");
  });

  it("says an unknown analysis is not found, as a page and as JSON", async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    const page = await get(`${guarded.url}/analyses/nope`, { ...html, ...auth });
    expect(page.status).toBe(404);
    expect(page.text).toMatch(/<h1>Not found<\/h1>[\s\S]*retention/);
    const body = await get(`${guarded.url}/analyses/nope`, { ...json, ...auth });
    expect(JSON.parse(body.text)).toMatchObject({ error: { code: "NOT_FOUND" } });
  });

  it("hands out signed page links from the JSON API", async () => {
    const r = await get(`${guarded.url}/api/v1/analyses/a1`, { ...json, authorization: `Bearer ${TOKEN}` });
    const link = (JSON.parse(r.text) as { analysis: { link: string } }).analysis.link;
    expect(link).toMatch(/\/analyses\/a1\?exp=\d+&sig=/);
    expect((await get(link)).status).toBe(200);
  });
});

describe("list pages access", () => {
  it.each(["/analyses", "/slos"])(
    "%s is open without auth and needs the bearer token with auth",
    async (path) => {
      expect((await get(`${open.url}${path}`)).status).toBe(200);
      expect((await get(`${guarded.url}${path}`)).status).toBe(401);
      const ok = await get(`${guarded.url}${path}`, { ...html, authorization: `Bearer ${TOKEN}` });
      expect(ok.status).toBe(200);
      expect(ok.text).toMatch(path === "/slos" ? /checkout-errors/ : /data-analysis="a1"/);
    },
  );

  it("a signed analysis link does not open the lists", async () => {
    const sig = new URL(guarded.deps.link("a1")).search;
    expect((await get(`${guarded.url}/analyses${sig}`)).status).toBe(401);
  });
});

describe("signing in with a token", () => {
  async function login(gate: GateService, token: string, next = "/slos") {
    const r = await fetch(`${gate.url}/login`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...html },
      body: new URLSearchParams({ token, next }).toString(),
      redirect: "manual",
    });
    return {
      status: r.status,
      location: r.headers.get("location"),
      cookie: r.headers.get("set-cookie"),
      text: await r.text(),
    };
  }

  it("sets an HttpOnly, SameSite=Strict cookie that opens the lists and the analysis pages for 12 h", async () => {
    clock = 1_800_000_000;
    const r = await login(guarded, TOKEN);
    expect(r.status).toBe(303);
    expect(r.location).toBe("/slos");
    expect(r.cookie).toMatch(
      /^slogate_session=\d+\.[\w-]{43}; Max-Age=43200; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Strict$/,
    );
    const cookie = (r.cookie ?? "").split(";")[0] ?? "";
    for (const path of ["/analyses", "/slos", "/analyses/a1"]) {
      expect((await get(`${guarded.url}${path}`, { ...html, cookie })).status, path).toBe(200);
    }
    clock += 12 * 3600 + 1;
    expect((await get(`${guarded.url}/analyses`, { ...html, cookie })).status).toBe(401);
  });

  it.each([
    ["a wrong token", "wrong-token-0123456789"],
    ["no token", ""],
  ])("refuses %s with the form again", async (_l, token) => {
    const r = await login(guarded, token);
    expect(r.status).toBe(401);
    expect(r.cookie).toBeNull();
    expect(r.text).toMatch(/That token is not one of the service&#39;s auth\.tokens/);
  });

  it.each([
    ["a changed cookie", (c: string) => `${c.slice(0, -2)}AA`],
    ["a longer expiry", (c: string) => c.replace(/=(\d+)\./, (_m, e: string) => `=${Number(e) + 3600}.`)],
    [
      "an analysis link's signature",
      () => {
        const u = new URL(guarded.deps.link("session"));
        return `slogate_session=${u.searchParams.get("exp") ?? ""}.${u.searchParams.get("sig") ?? ""}`;
      },
    ],
  ])("refuses %s", async (_l, tamper) => {
    clock = 1_800_000_000;
    const cookie = tamper(((await login(guarded, TOKEN)).cookie ?? "").split(";")[0] ?? "");
    expect((await get(`${guarded.url}/analyses`, { ...html, cookie })).status).toBe(401);
  });

  it.each([
    ["//evil.example/x", "/analyses"],
    ["https://evil.example/", "/analyses"],
    ["/\\evil.example", "/analyses"],
    ["/analyses?verdict=fail", "/analyses?verdict=fail"],
  ])("returns only to a path of this site (next=%s)", async (next, want) => {
    expect((await login(guarded, TOKEN, next)).location).toBe(want);
  });

  it("offers the sign-in form from a refused list page, and skips it without auth", async () => {
    const refused = await get(`${guarded.url}/analyses?verdict=fail`);
    expect(refused.text).toContain('href="/login?next=%2Fanalyses%3Fverdict%3Dfail"');
    const form = await get(`${guarded.url}/login?next=%2Fslos`);
    expect(form.text).toMatch(/<input id="token" name="token" type="password"/);
    const r = await fetch(`${open.url}/login?next=/slos`, { redirect: "manual" });
    expect(r.status).toBe(303);
    expect(r.headers.get("location")).toBe("/slos");
  });
});
