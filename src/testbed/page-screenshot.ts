/**
 * @module testbed/page-screenshot
 * A screenshot of one page with Debian's Chromium in headless mode (`--screenshot`), for the
 * demo: no browser library, no profile left behind (a temporary one per shot). The window is
 * `width` × `height` px; what the page draws below it is cut off.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { runTool } from "./tools.ts";

/** Options of one shot. */
export interface ScreenshotOptions {
  readonly width?: number;
  readonly height?: number;
  readonly timeoutMs?: number;
}

/**
 * Opens `url` in headless Chromium and writes a PNG to `file` (its folder is created).
 * Throws when Chromium is missing (naming the Debian package), exits non-zero, or writes no file.
 */
export async function screenshotPage(url: string, file: string, o: ScreenshotOptions = {}): Promise<void> {
  mkdirSync(dirname(file), { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), "slogate-shot-"));
  try {
    const r = await runTool(
      "chromium",
      [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        `--user-data-dir=${profile}`,
        `--window-size=${o.width ?? 1280},${o.height ?? 4200}`,
        `--screenshot=${file}`,
        url,
      ],
      { timeoutMs: o.timeoutMs ?? 60_000 },
    );
    let size = 0;
    try {
      size = statSync(file).size;
    } catch {
      size = 0;
    }
    if (r.code !== 0 || size === 0) {
      throw new Error(`chromium wrote no screenshot of ${url} (exit ${r.code}): ${r.out.slice(-500)}`);
    }
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}
