/**
 * @module test/pages/browser
 * Debian's Chromium (`/usr/bin/chromium`) driven by playwright-core for the page tests: a
 * headless browser with an empty profile and no background traffic, pages opened at a given
 * width with every console error and page error collected, screenshots written under
 * `.tools/artifacts/pages/` (git-ignored). Plain TypeScript (no vitest).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";

/** The system browser the tests drive (CI installs the Debian `chromium` package). */
export const CHROMIUM = process.env.SLOGATE_CHROMIUM ?? "/usr/bin/chromium";

/** Where screenshots go. */
export const ARTIFACTS = join(import.meta.dirname, "..", "..", ".tools", "artifacts", "pages");

const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface Browser {
  /** Opens `url` in a new tab `width` px wide; `problems` collects console errors and page errors. */
  open(url: string, width: number, headers?: Record<string, string>): Promise<OpenedPage>;
  close(): Promise<void>;
}

export interface OpenedPage {
  readonly page: Page;
  readonly status: number;
  readonly problems: string[];
  /** Saves a full-page screenshot as `<name>.png` under ARTIFACTS; returns its path. */
  screenshot(name: string): Promise<string>;
}

/** Starts Chromium with an empty profile; throws when the binary is missing. */
export async function startBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: install Debian's chromium package (apt-get install chromium)`);
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), "slogate-chromium-"));
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1280, height: 900 },
  });
  return {
    async open(url, width, headers) {
      const page = await context.newPage();
      await page.setViewportSize({ width, height: width < 600 ? 800 : 900 });
      if (headers !== undefined) await page.setExtraHTTPHeaders(headers);
      const problems: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`);
      });
      page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
      page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()}`));
      const response = await page.goto(url, { waitUntil: "load" });
      return {
        page,
        status: response?.status() ?? 0,
        problems,
        screenshot: async (name) => {
          const path = join(ARTIFACTS, `${name}.png`);
          await page.screenshot({ path, fullPage: true });
          return path;
        },
      };
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** What a chart drew, read from the live DOM. */
export interface DrawnSeries {
  readonly figure: string;
  readonly series: string;
  readonly dataPoints: number;
  /** M/L commands in the path's `d`. */
  readonly commands: number;
  /** Markers drawn for the series. */
  readonly markers: number;
  /** The path's rendered length in px (0 for one point). */
  readonly length: number;
  /** The markers inside their chart's box. */
  readonly inside: boolean;
}

// The functions below run inside the page; they are strings because the project's TypeScript
// has no DOM types (it compiles for Node).
const DRAWN_SERIES = `[...document.querySelectorAll("figure.chart g.series")].map((g) => {
  const path = g.querySelector("path.line");
  if (path === null) return null;
  const box = g.closest("svg").getBoundingClientRect();
  const circles = [...g.querySelectorAll("circle")];
  return {
    figure: g.closest("figure")?.id ?? "",
    series: g.getAttribute("data-series") ?? "",
    dataPoints: Number(path.getAttribute("data-points")),
    commands: (path.getAttribute("d") ?? "").match(/[ML]/g)?.length ?? 0,
    markers: circles.length,
    length: path.getTotalLength(),
    inside: circles.every((c) => {
      const r = c.getBoundingClientRect();
      return r.left >= box.left - 1 && r.right <= box.right + 1 && r.top >= box.top - 1 && r.bottom <= box.bottom + 1;
    }),
  };
}).filter((x) => x !== null)`;

/** Every line series of every chart on the page. */
export function drawnSeries(page: Page): Promise<DrawnSeries[]> {
  return page.evaluate<DrawnSeries[]>(DRAWN_SERIES);
}

const FOCUSED = `(() => {
  const e = document.activeElement;
  if (e === null || e === document.body) return "";
  const where = e.closest("figure")?.id ?? e.closest("section[id]")?.id;
  const label = e.getAttribute("aria-label");
  const href = e.tagName === "A" ? "->" + (e.getAttribute("href") ?? "") : "";
  const text = e.tagName === "SUMMARY" ? ":" + (e.textContent ?? "") : "";
  return e.tagName.toLowerCase() + (where === undefined ? "" : "@" + where) + (label === null ? "" : "[" + label + "]") + href + text;
})()`;

/**
 * Presses Tab up to `max` times and describes each focused element
 * (`tag@figure-or-section[aria-label]->href:summary text`); stops when focus comes back.
 */
export async function tabStops(page: Page, max = 120): Promise<string[]> {
  await page.evaluate("document.activeElement?.blur(); window.scrollTo(0, 0)");
  const seen: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    const d = await page.evaluate<string>(FOCUSED);
    if (d === "" || seen.includes(d)) break;
    seen.push(d);
  }
  return seen;
}

/** True when the page needs no horizontal scrolling at its width. */
export function fitsWidth(page: Page): Promise<boolean> {
  return page.evaluate<boolean>("document.documentElement.scrollWidth <= window.innerWidth");
}
