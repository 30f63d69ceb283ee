/**
 * `slogate demo --keep`: the links it prints stay alive while it runs and open the analysis
 * pages; the demo itself writes a screenshot of each analysis page to
 * `--screenshots <dir>/<service>-<slo>.png`, and this test saves its own under
 * `.tools/artifacts/pages/demo-<service>-<slo>.png`.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import { ARTIFACTS, drawnSeries, startBrowser, type Browser } from "./browser.ts";

interface DemoLook {
  readonly service: string;
  readonly look: number;
  readonly verdicts: Record<string, { verdict: string; link: string }>;
}

let browser: Browser;
beforeAll(async () => {
  browser = await startBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe("slogate demo --keep", () => {
  it("prints links that open the analysis pages while it runs", async () => {
    const out: string[] = [];
    const err: string[] = [];
    let stop: () => void = () => undefined;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const shots = mkdtempSync(join(tmpdir(), "slogate-demo-shots-"));
    const running = main(["demo", "--json", "--keep", "--screenshots", shots], {
      stdout: (t) => void out.push(t),
      stderr: (t) => void err.push(t),
      env: {},
      cwd: process.cwd(),
      stopped,
    });
    const looks = (): DemoLook[] =>
      out
        .join("")
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((l) => JSON.parse(l) as DemoLook | { screenshots: Record<string, string> | null })
        .filter((l): l is DemoLook => "service" in l);
    const written = (): Record<string, string> | null | undefined =>
      out
        .join("")
        .split("\n")
        .filter((l) => l.includes('"screenshots"'))
        .map((l) => (JSON.parse(l) as { screenshots: Record<string, string> | null }).screenshots)[0];
    // The bad canary's analysis ends at its first failed look; the demo takes its screenshots
    // and then waits for Ctrl-C.
    const deadline = Date.now() + 120_000;
    while (written() === undefined) {
      if (Date.now() > deadline) throw new Error(`demo did not finish its analyses: ${err.join("")}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    try {
      const last = new Map<string, { link: string; looks: number; verdict: string }>();
      for (const l of looks()) {
        for (const [slo, v] of Object.entries(l.verdicts)) {
          last.set(`${l.service}-${slo}`, { link: v.link, looks: l.look, verdict: v.verdict });
        }
      }
      expect([...last.keys()].sort()).toEqual([
        "shop-healthy-errors",
        "shop-healthy-latency",
        "shop-latency-errors",
        "shop-latency-latency",
      ]);
      // The demo's own screenshots: one PNG per analysis page, 1280 px wide, at the known path.
      const files = written();
      expect(files, err.join("")).not.toBeNull();
      expect(Object.keys(files!).sort()).toEqual([...last.keys()].sort());
      for (const [name, file] of Object.entries(files!)) {
        expect(file).toBe(join(shots, `${name}.png`));
        const png = readFileSync(file);
        expect(png.subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");
        expect(png.readUInt32BE(16)).toBe(1280);
        expect(png.length).toBeGreaterThan(20_000);
      }
      for (const [name, v] of last) {
        expect(v.link).toMatch(/\/analyses\/[^?]+\?exp=\d+&sig=/);
        const o = await browser.open(v.link, 1280);
        expect(o.status, name).toBe(200);
        expect(await o.page.getAttribute("section.verdict", "data-verdict")).toBe(v.verdict);
        const stable = (await drawnSeries(o.page)).find((d) => d.figure === "ratio" && d.series === "stable");
        expect(stable?.dataPoints, name).toBe(v.looks);
        const file = await o.screenshot(`demo-${name}`);
        expect(existsSync(file)).toBe(true);
        expect(file).toBe(join(ARTIFACTS, `demo-${name}.png`));
        expect(o.problems).toEqual([]);
        await o.page.close();
      }
    } finally {
      stop();
      rmSync(shots, { recursive: true, force: true });
    }
    expect(await running).toBe(0);
    expect(err.join("")).toBe("");
  }, 180_000);
});
