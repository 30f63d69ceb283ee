/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return -- JSON bodies of HTTP responses are untyped by nature */
/**
 * The analysis pages in a real browser (Debian's Chromium via playwright-core) against the
 * real service (started as `slogate serve` is, SQLite store, bearer auth on, a pages secret)
 * and a real Prometheus loaded with synthetic canaries: a passing, a failing, a no-data and an
 * environment-degraded analysis, driven through the Argo endpoint. Each page is opened from
 * the link the verdict carried, at 1280 px and at 390 px; charts must have drawn one point per
 * look, the console must stay clean, controls must be reachable with Tab, and screenshots are
 * written to .tools/artifacts/pages/. Also: tampered and unsigned links are refused, the list
 * and SLO pages, and an offline report (`--html`) opened from disk.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GateService } from "../../src/main/gate-service.ts";
import { main } from "../../src/cli/main.ts";
import { renderOfflineReport } from "../../src/report/offline-report.ts";
import { degradedAnalysis } from "../../src/report/testdata/analyses.ts";
import { defineScenario, SCENARIOS } from "../../src/sim/scenarios.ts";
import { simulateScrapes } from "../../src/sim/scrapes.ts";
import { startPrometheus, type PrometheusBed } from "../../src/testbed/prometheus.ts";
import { BED_START, bedSloYaml, type BedService } from "../../src/testbed/gate-bed.ts";
import { getJson, memoryLogger, postJson, startHarnessService } from "../../src/testbed/service-harness.ts";
import { ARTIFACTS, drawnSeries, fitsWidth, startBrowser, tabStops, type Browser } from "./browser.ts";

const TOKEN = "pages-test-token-0123456789";
const AUTH = { authorization: `Bearer ${TOKEN}` };
const LOOKS = 10;
const INTERVAL = 180;

function service(name: string, base: (typeof SCENARIOS)[keyof typeof SCENARIOS]): BedService {
  const scenario = defineScenario({ ...base, service: name });
  return {
    service: name,
    scenario,
    canary: scenario.canary.hash,
    stable: scenario.stable.hash,
    selection: "label",
  };
}

const SERVICES = {
  healthy: service("pg-healthy", SCENARIOS.healthy),
  errors: service("pg-errors", SCENARIOS["error-spike"]),
  environment: service("pg-envdeg", SCENARIOS["environment-degrades"]),
};

let prometheus: PrometheusBed;
let slosDir: string;
let gate: GateService;
let browser: Browser;
const logger = memoryLogger();

/** The four analyses: the verdict bodies of every look. */
const runs: Record<string, any[]> = {};

async function runArgo(
  id: string,
  slo: string,
  canary: string,
  stable: string,
  looks: number,
): Promise<any[]> {
  const out: any[] = [];
  for (let k = 1; k <= looks; k++) {
    const r = await postJson(
      `${gate.url}/api/v1/verdict`,
      { slo, canary, stable, analysis: id, count: LOOKS, start: BED_START, time: BED_START + k * INTERVAL },
      AUTH,
    );
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    out.push(r.body);
    if (r.body.analysis?.status === "closed") break;
  }
  return out;
}

beforeAll(async () => {
  slosDir = mkdtempSync(join(tmpdir(), "slogate-pages-slos-"));
  const series = [];
  for (const s of Object.values(SERVICES)) {
    series.push(...simulateScrapes(s.scenario, { seed: `pages-${s.service}`, start: BED_START }).series);
    writeFileSync(join(slosDir, `${s.service}.yaml`), bedSloYaml(s));
  }
  prometheus = await startPrometheus({ history: series });
  gate = await startHarnessService({
    prometheusUrl: prometheus.url,
    slosDir,
    tokens: [TOKEN],
    logger,
    extraEnv: {
      SLOGATE_PAGES_SECRET: "pages-secret-".padEnd(40, "x"),
      SLOGATE_GRAFANA_URL: "http://grafana.invalid:3000",
    },
  });
  const h = SERVICES.healthy;
  const baseline = await postJson(
    `${gate.url}/api/v1/baselines`,
    { slo: `${h.service}-errors`, stable: h.stable, time: BED_START },
    AUTH,
  );
  expect(baseline.status, JSON.stringify(baseline.body)).toBe(201);
  runs.passing = await runArgo("pages-pass", `${h.service}-errors`, h.canary, h.stable, LOOKS);
  runs.failing = await runArgo(
    "pages-fail",
    `${SERVICES.errors.service}-errors`,
    SERVICES.errors.canary,
    SERVICES.errors.stable,
    LOOKS,
  );
  runs.nodata = await runArgo("pages-nodata", `${h.service}-latency`, "no-such-hash", h.stable, 3);
  const e = SERVICES.environment;
  runs.degraded = await runArgo("pages-degraded", `${e.service}-errors`, e.canary, e.stable, LOOKS);
  browser = await startBrowser();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await gate?.close();
  await prometheus?.stop();
});

const CASES = [
  ["passing", "pass"],
  ["failing", "fail"],
  ["nodata", "nodata"],
  // Both arms degrade: the environment explains it, the canary is not failed.
  ["degraded", "pass"],
] as const;

/** The analysis' stored looks, through the JSON API. */
async function storedLooks(link: string): Promise<any[]> {
  const id = new URL(link).pathname.replace(/^\/analyses\//, "");
  const r = await getJson(`${gate.url}/api/v1/analyses/${id}`, {}, AUTH);
  expect(r.status).toBe(200);
  return r.body.looks;
}

describe("the browser harness", () => {
  it("notices console errors, page errors and failed requests (negative control)", async () => {
    const html = `<p>x</p><img src="http://127.0.0.1:1/missing.png"><script>console.error("boom"); throw new Error("thrown")</script>`;
    const o = await browser.open(`data:text/html,${encodeURIComponent(html)}`, 1280);
    await o.page.waitForTimeout(200);
    expect(o.problems.join("\n")).toMatch(/console error: boom/);
    expect(o.problems.join("\n")).toMatch(/page error: thrown/);
    expect(o.problems.join("\n")).toMatch(/request failed: http:\/\/127\.0\.0\.1:1\/missing\.png/);
    await o.page.close();
  });

  it("sees a chart without its points as such (negative control)", async () => {
    const o = await browser.open(
      `data:text/html,${encodeURIComponent('<figure class="chart" id="c"><svg><g class="series" data-series="x"><path class="line" data-points="3" d="M1 1 L2 2"/></g></svg></figure>')}`,
      1280,
    );
    expect(await drawnSeries(o.page)).toEqual([
      expect.objectContaining({ dataPoints: 3, commands: 2, markers: 0 }),
    ]);
    await o.page.close();
  });
});

describe("analysis pages in Chromium", () => {
  it("every verdict's link is a signed link to the analysis page", () => {
    for (const [name] of CASES) {
      const link = runs[name]?.at(-1)?.link as string;
      expect(link, name).toMatch(
        new RegExp(`^${gate.url}/analyses/pages-[a-z]+\\?exp=\\d+&sig=[A-Za-z0-9_-]{43}$`),
      );
    }
  });

  it.each(CASES)("the %s analysis page draws every look, at 1280 px and 390 px", async (name, verdict) => {
    const bodies = runs[name] ?? [];
    const link = bodies.at(-1).link as string;
    const looks = await storedLooks(link);
    expect(looks).toHaveLength(bodies.length);
    for (const width of [1280, 390]) {
      const o = await browser.open(link, width);
      expect(o.status).toBe(200);
      expect(await o.page.getAttribute("section.verdict", "data-verdict")).toBe(verdict);
      const drawn = await drawnSeries(o.page);
      // Per check: one e-value point per look that reported a finite e-value.
      const checkIds: string[] = [
        ...new Set(looks.flatMap((l) => l.verdict.checks.map((c: any) => c.id as string))),
      ];
      for (const id of checkIds) {
        const want = looks.filter(
          (l) => typeof l.verdict.checks.find((c: any) => c.id === id)?.evidence.eValue === "number",
        ).length;
        const e = drawn.find((d) => d.figure === `evalue-${id}`);
        if (want === 0) expect(e, `${name} ${id}`).toBeUndefined();
        else
          expect(e, `${name} ${id}`).toMatchObject({
            dataPoints: want,
            commands: want,
            markers: want,
            inside: true,
          });
        if (want > 1) expect(e?.length).toBeGreaterThan(10);
      }
      const canaryLooks = looks.filter((l) => (l.arms?.canary?.total ?? 0) > 0).length;
      const canary = drawn.find((d) => d.figure === "ratio" && d.series === "canary");
      if (canaryLooks === 0) expect(canary).toBeUndefined();
      else expect(canary).toMatchObject({ dataPoints: canaryLooks, commands: canaryLooks, inside: true });
      expect(drawn.find((d) => d.figure === "ratio" && d.series === "stable")).toMatchObject({
        dataPoints: looks.length,
        inside: true,
      });
      expect(await o.page.getAttribute("#traffic svg", "data-bars")).toBe(String(looks.length));
      expect(await o.page.locator("#traffic g.bar").count()).toBe(looks.length);
      expect(await fitsWidth(o.page), `${name} at ${width} px needs horizontal scrolling`).toBe(true);
      await o.screenshot(`${name}-${width}`);
      expect(o.problems).toEqual([]);
      await o.page.close();
    }
  });

  it("says the verdict in words, and the environment status", async () => {
    const fail = await browser.open(runs.failing!.at(-1).link, 1280);
    expect(await fail.page.textContent("section.verdict .headline")).toMatch(/Failed: the canary is worse/);
    expect(await fail.page.textContent("section.verdict")).toMatch(/First failing look: \d+ at/);
    // No baseline was captured for this SLO: nothing to compare the environment with.
    expect(await fail.page.getAttribute(".env", "data-environment")).toBe("unknown");
    const nodata = await browser.open(runs.nodata!.at(-1).link, 1280);
    expect(await nodata.page.textContent("section.verdict .headline")).toMatch(
      /^.*No data: an arm has no series at all \(look 3 of 10\)/,
    );
    for (const o of [fail, nodata]) {
      expect(o.problems).toEqual([]);
      await o.page.close();
    }
  });

  it("reaches the page's links, charts, number tables and tables with the keyboard", async () => {
    const o = await browser.open(runs.failing!.at(-1).link, 1280);
    const stops = await tabStops(o.page);
    expect(stops[0]).toBe("a->#main");
    expect(stops).toContain("a->/analyses");
    expect(stops.some((s) => s.startsWith("a->http://grafana.invalid:3000/d/slogate-canary?from="))).toBe(
      true,
    );
    const checks = runs.failing!.at(-1).checks.map((c: any) => c.id as string);
    for (const id of checks) {
      expect(stops, id).toContain(`svg@evalue-${id}`);
      expect(
        stops.some((s) => s.startsWith(`summary@check-${id}:Numbers of the last look`)),
        id,
      ).toBe(true);
    }
    expect(stops).toContain("svg@ratio");
    expect(stops).toContain("svg@traffic");
    expect(stops).toContain("div[looks table]");
    // A focused summary opens its numbers with Enter.
    const summary = o.page.locator("details summary").first();
    await summary.focus();
    await o.page.keyboard.press("Enter");
    expect(await o.page.locator("details").first().getAttribute("open")).not.toBeNull();
    expect(o.problems).toEqual([]);
    await o.page.close();
  });

  it.each([
    [
      "a changed signature",
      (l: URL) => l.searchParams.set("sig", `${l.searchParams.get("sig")!.slice(0, -2)}AA`),
      /signature is not valid/,
    ],
    [
      "a later expiry",
      (l: URL) => l.searchParams.set("exp", String(Number(l.searchParams.get("exp")) + 60)),
      /signature is not valid/,
    ],
    ["another analysis' path", (l: URL) => (l.pathname = "/analyses/pages-pass"), /signature is not valid/],
    ["no signature", (l: URL) => (l.search = ""), /needs a signed link or a bearer token/],
  ])("refuses a link with %s, as a page and as JSON", async (_label, tamper, message) => {
    const url = new URL(runs.failing!.at(-1).link as string);
    tamper(url);
    const o = await browser.open(url.toString(), 1280);
    expect(o.status).toBe(401);
    expect(await o.page.textContent("h1")).toBe("Not allowed");
    expect(await o.page.textContent("p.refusal")).toMatch(message);
    expect(await o.page.locator("svg.chart-svg").count()).toBe(0);
    await o.page.close();
    const j = await getJson(url.toString(), {}, { accept: "application/json" });
    expect(j.status).toBe(401);
    expect(j.body.error).toMatchObject({ code: "UNAUTHORIZED", message: expect.stringMatching(message) });
  });

  it("opens an analysis page and the lists with the bearer token instead of a signature", async () => {
    const id = "pages-fail";
    for (const path of [`/analyses/${id}`, "/analyses", "/slos"]) {
      expect((await getJson(`${gate.url}${path}`)).status, path).toBe(401);
      const o = await browser.open(`${gate.url}${path}`, 1280, AUTH);
      expect(o.status, path).toBe(200);
      expect(o.problems).toEqual([]);
      await o.page.close();
    }
  });

  it("lists the analyses with a sparkline per row and filters them", async () => {
    const o = await browser.open(`${gate.url}/analyses`, 1280, AUTH);
    expect(await o.page.locator("tr[data-analysis]").count()).toBe(4);
    const sparks = await o.page.$$eval("tr[data-analysis] svg.spark path.line", (ps) =>
      ps.map((p) => Number(p.getAttribute("data-points"))),
    );
    // The no-data analysis has no e-value to draw.
    expect(sparks.sort((a, b) => a - b)).toEqual(
      [runs.passing!.length, runs.failing!.length, runs.degraded!.length].sort((a, b) => a - b),
    );
    await o.page.selectOption("#f-verdict", "fail");
    await o.page.locator("#f-verdict").focus();
    await o.page.keyboard.press("Tab");
    await o.page.keyboard.press("Tab");
    await o.page.keyboard.press("Tab");
    await o.page.keyboard.press("Enter");
    await o.page.waitForURL(/verdict=fail/);
    const failed = await o.page.$$eval("tr[data-analysis]", (rows) =>
      rows.map((r) => r.getAttribute("data-analysis")),
    );
    // The degraded environment is not blamed on its canary.
    expect(failed.sort()).toEqual(["pages-fail"]);
    // The row's link is signed, so it opens without the token.
    const href = await o.page.getAttribute("tr[data-analysis] a", "href");
    const row = await browser.open(`${gate.url}${href ?? ""}`, 1280);
    expect(row.status).toBe(200);
    await o.screenshot("analyses-1280");
    expect([...o.problems, ...row.problems]).toEqual([]);
    await o.page.close();
    await row.page.close();
    const phone = await browser.open(`${gate.url}/analyses`, 390, AUTH);
    expect(await fitsWidth(phone.page)).toBe(true);
    await phone.screenshot("analyses-390");
    await phone.page.close();
  });

  it("signs in from a refused list page with the keyboard, then browses the lists", async () => {
    const o = await browser.open(`${gate.url}/analyses`, 390);
    expect(o.status).toBe(401);
    await o.page.getByRole("link", { name: "Sign in with a token" }).focus();
    await o.page.keyboard.press("Enter");
    await o.page.waitForURL(/\/login\?next=%2Fanalyses$/);
    await o.page.locator("#token").focus();
    await o.page.keyboard.type(TOKEN);
    await o.page.keyboard.press("Enter");
    await o.page.waitForURL(`${gate.url}/analyses`);
    expect(await o.page.locator("tr[data-analysis]").count()).toBe(4);
    await o.page.goto(`${gate.url}/slos`);
    expect(await o.page.locator("tbody tr").count()).toBe(6);
    await o.screenshot("slos-390-signed-in");
    // The 401 of the first load is the only console message (Chromium logs failed loads).
    expect(o.problems.filter((p) => !/status of 401/.test(p))).toEqual([]);
    await o.page.close();
  });

  it("shows the served SLOs with their source files", async () => {
    const o = await browser.open(`${gate.url}/slos`, 1280, AUTH);
    expect(await o.page.locator("tbody tr").count()).toBe(6);
    expect(await o.page.textContent("main")).toMatch(/pg-healthy\.yaml/);
    await o.screenshot("slos-1280");
    expect(o.problems).toEqual([]);
    await o.page.close();
  });
});

describe("offline reports in Chromium", () => {
  it("opens an environment-degraded report from disk, with the environment in the header", async () => {
    const s = degradedAnalysis();
    const file = join(mkdtempSync(join(tmpdir(), "slogate-report-")), "degraded.html");
    writeFileSync(
      file,
      renderOfflineReport({
        analysis: s.analysis,
        looks: s.looks,
        baseline: s.baseline,
        slo: s.slo,
        generatedAt: BED_START,
      }),
    );
    for (const width of [1280, 390]) {
      const o = await browser.open(`file://${file}`, width);
      expect(await o.page.getAttribute(".env", "data-environment")).toBe("degraded");
      expect(await o.page.textContent(".env")).toMatch(
        /Environment: degraded — the comparison may reflect the environment/,
      );
      const drawn = await drawnSeries(o.page);
      expect(drawn.find((d) => d.figure === "evalue-errors-absolute")).toMatchObject({
        dataPoints: s.looks.length,
        inside: true,
      });
      expect(await fitsWidth(o.page)).toBe(true);
      await o.screenshot(`degraded-environment-${width}`);
      expect(o.problems).toEqual([]);
      await o.page.close();
    }
  });

  it("slogate analyze --html writes the page of its one look", async () => {
    const dir = mkdtempSync(join(tmpdir(), "slogate-analyze-"));
    const err: string[] = [];
    const s = SERVICES.healthy;
    const code = await main(
      [
        "analyze",
        ...["--slo", `${s.service}-latency`, "--canary", s.canary, "--stable", s.stable],
        ...["--start", String(BED_START), "--time", String(BED_START + 1800), "--final"],
        ...["--html", "look.html", "--prometheus", prometheus.url, "--slos", slosDir],
      ],
      {
        stdout: () => undefined,
        stderr: (t) => void err.push(t),
        env: {},
        cwd: dir,
        stopped: Promise.resolve(),
      },
    );
    expect(code, err.join("")).toBe(0);
    expect(err.join("")).toMatch(/slogate analyze: wrote .*look\.html/);
    const o = await browser.open(`file://${join(dir, "look.html")}`, 1280);
    expect(await o.page.getAttribute("section.verdict", "data-verdict")).toBe("pass");
    expect(await o.page.textContent("section.verdict .headline")).toMatch(/^pass Passed: /);
    const drawn = await drawnSeries(o.page);
    expect(drawn.filter((d) => d.figure.startsWith("evalue-")).every((d) => d.dataPoints === 1)).toBe(true);
    expect(await o.page.getAttribute("#histograms svg", "data-categories")).not.toBeNull();
    await o.screenshot("analyze-report-1280");
    expect(o.problems).toEqual([]);
    await o.page.close();
  });

  it("slogate backtest --html writes one self-contained page of the replay", async () => {
    const dir = mkdtempSync(join(tmpdir(), "slogate-backtest-"));
    const out: string[] = [];
    const err: string[] = [];
    const s = SERVICES.errors;
    const code = await main(
      [
        "backtest",
        ...["--slo", `${s.service}-errors`, "--canary", s.canary, "--stable", s.stable],
        ...["--from", String(BED_START), "--to", String(BED_START + 1800), "--interval", "3m"],
        ...["--html", "report.html", "--prometheus", prometheus.url, "--slos", slosDir],
      ],
      {
        stdout: (t) => void out.push(t),
        stderr: (t) => void err.push(t),
        env: {},
        cwd: dir,
        stopped: Promise.resolve(),
      },
    );
    expect(code, err.join("")).toBe(1);
    const html = readFileSync(join(dir, "report.html"), "utf8");
    expect(html).not.toMatch(/<script|<link |src="http/);
    const lookCount = Number(/first fail at look (\d+)/.exec(out.join(""))?.[1]);
    expect(lookCount).toBeGreaterThan(0);
    const o = await browser.open(`file://${join(dir, "report.html")}`, 1280);
    expect(await o.page.getAttribute("section.verdict", "data-verdict")).toBe("fail");
    expect(await o.page.getAttribute("#traffic svg", "data-bars")).toBe(String(lookCount));
    await o.screenshot("backtest-report-1280");
    expect(o.problems).toEqual([]);
    await o.page.close();
    expect(ARTIFACTS).toMatch(/\.tools\/artifacts\/pages$/);
  });
});
