import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isSlogateError } from "../errors.ts";
import { createJsonLogger } from "../main/json-logger.ts";
import { loadSloFiles } from "./load-slos.ts";
import { SloCatalog } from "./slo-catalog.ts";

const file = (service: string, names: readonly string[], objective = '"< 1%"') => `apiVersion: slogate.dev/v1
kind: ServiceLevels
service: ${service}
slos:
${names
  .map(
    (n) => `  - name: ${n}
    objective: ${objective}
    sli:
      events:
        errors: sum(rate(http_requests_total{service="${service}",code=~"5.."}[{{.window}}]))
        total: sum(rate(http_requests_total{service="${service}"}[{{.window}}]))
`,
  )
  .join("")}`;

function catalogOver(dir: string, inUse: (id: string) => boolean = () => false) {
  const loads: boolean[] = [];
  const lines: string[] = [];
  const retired: (readonly string[])[] = [];
  const c = new SloCatalog({
    paths: [dir],
    load: loadSloFiles,
    logger: createJsonLogger((l) => void lines.push(l)),
    now: () => 1000,
    onLoad: (ok) => void loads.push(ok),
    inUse,
    onRetired: (ids) => void retired.push(ids),
  });
  return { c, loads, lines, retired };
}

const ids = (c: SloCatalog): string[] =>
  c
    .list()
    .map((s) => s.id)
    .sort();

/** Waits (up to 5 s) until `ok()` holds. */
async function until(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 250 && !ok(); i++) await new Promise((r) => setTimeout(r, 20));
}

describe("SloCatalog", () => {
  it("serves the SLOs of the files, found by id or by a unique name", async () => {
    const dir = mkdtempSync(join(tmpdir(), "slogate-catalog-"));
    writeFileSync(join(dir, "a.yaml"), file("shop", ["errors", "availability"]));
    writeFileSync(join(dir, "b.yaml"), file("cart", ["errors"]));
    const { c } = catalogOver(dir);
    await c.reload();
    expect(
      c
        .list()
        .map((s) => s.id)
        .sort(),
    ).toEqual(["cart-errors", "shop-availability", "shop-errors"]);
    expect(c.get("shop-errors").service).toBe("shop");
    expect(c.get("availability").id).toBe("shop-availability");
    expect(c.status()).toMatchObject({ valid: true, served: 3, loadErrors: 0 });
    for (const ref of ["errors", "nope"]) {
      let err: unknown;
      try {
        c.get(ref);
      } catch (e) {
        err = e;
      }
      expect(isSlogateError(err, "SLO_NOT_FOUND")).toBe(true);
    }
  });

  it("keeps the last good version when a reload finds errors, and recovers", async () => {
    const dir = mkdtempSync(join(tmpdir(), "slogate-catalog-"));
    writeFileSync(join(dir, "a.yaml"), file("shop", ["errors"]));
    const { c, loads, lines } = catalogOver(dir);
    await c.reload();
    writeFileSync(join(dir, "a.yaml"), file("shop", ["errors", "latency"], '"< lots"'));
    await c.reload();
    expect(c.list().map((s) => s.id)).toEqual(["shop-errors"]);
    expect(c.status()).toMatchObject({ valid: false, served: 1, loadErrors: 1, lastGoodAt: 1000 });
    expect(c.status().problems.some((p) => p.severity === "error")).toBe(true);
    expect(lines.some((l) => l.includes("last good version"))).toBe(true);
    writeFileSync(join(dir, "a.yaml"), file("shop", ["errors", "latency"]));
    await c.reload();
    expect(c.list()).toHaveLength(2);
    expect(loads).toEqual([true, false, true]);
  });

  it("serves what is valid on the very first load, with the problems reported", async () => {
    const dir = mkdtempSync(join(tmpdir(), "slogate-catalog-"));
    writeFileSync(join(dir, "good.yaml"), file("shop", ["errors"]));
    writeFileSync(
      join(dir, "bad.yaml"),
      "apiVersion: slogate.dev/v1\nkind: ServiceLevels\nservice: [broken\n",
    );
    const { c } = catalogOver(dir);
    await c.reload();
    expect(c.list().map((s) => s.id)).toEqual(["shop-errors"]);
    expect(c.status().valid).toBe(false);
  });

  it("reports a loader that throws as a problem instead of crashing", async () => {
    const c = new SloCatalog({
      paths: ["x"],
      load: () => Promise.reject(new Error("disk on fire")),
      logger: createJsonLogger(() => undefined),
      now: () => 1,
    });
    await c.reload();
    expect(c.status()).toMatchObject({ valid: false, served: 0 });
    expect(c.status().problems[0]?.message).toBe("disk on fire");
  });

  it("reloads a watched file that an editor replaces by renaming a new file over it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "slogate-catalog-"));
    const path = join(dir, "shop.yaml");
    writeFileSync(path, file("shop", ["errors"]));
    const { c, loads } = catalogOver(path);
    await c.reload();
    c.watch(20);
    try {
      writeFileSync(join(dir, ".shop.yaml.swp"), file("shop", ["errors", "latency"]));
      renameSync(join(dir, ".shop.yaml.swp"), path);
      for (let i = 0; i < 100 && c.list().length < 2; i++) await new Promise((r) => setTimeout(r, 50));
      expect(
        c
          .list()
          .map((s) => s.id)
          .sort(),
      ).toEqual(["shop-errors", "shop-latency"]);
      expect(loads.length).toBeGreaterThanOrEqual(2);
    } finally {
      c.close();
    }
  });

  it.each([
    ["file-system events", { debounceMs: 20, pollMs: 0 }],
    ["the polling fallback alone", { events: false, pollMs: 50 }],
  ] as const)("sees in-place writes before and after a rename-save, with %s", async (_n, options) => {
    const dir = mkdtempSync(join(tmpdir(), "slogate-catalog-"));
    const path = join(dir, "shop.yaml");
    writeFileSync(path, file("shop", ["errors"]));
    const { c } = catalogOver(dir);
    await c.reload();
    c.watch(options);
    try {
      writeFileSync(path, file("shop", ["errors", "latency"]));
      await until(() => c.list().length === 2);
      expect(ids(c)).toEqual(["shop-errors", "shop-latency"]);
      // An editor's rename-save…
      writeFileSync(join(dir, ".shop.yaml.tmp"), file("shop", ["errors", "latency", "availability"]));
      renameSync(join(dir, ".shop.yaml.tmp"), path);
      await until(() => c.list().length === 3);
      expect(c.list()).toHaveLength(3);
      // …and in-place writes after it are still seen.
      writeFileSync(path, file("shop", ["errors"]));
      await until(() => c.list().length === 1);
      expect(ids(c)).toEqual(["shop-errors"]);
      writeFileSync(join(dir, "cart.yaml"), file("cart", ["errors"]));
      await until(() => c.list().length === 2);
      expect(ids(c)).toEqual(["cart-errors", "shop-errors"]);
    } finally {
      c.close();
    }
  });

  it.each([
    ["file-system events", { debounceMs: 20, pollMs: 0 }],
    ["the polling fallback alone", { events: false, pollMs: 50 }],
  ] as const)("sees a Kubernetes ConfigMap update (..data symlink flip), with %s", async (_n, options) => {
    const mount = mkdtempSync(join(tmpdir(), "slogate-configmap-"));
    // What the kubelet writes: a timestamped directory, ..data -> it, and per-key symlinks.
    const version = (name: string, text: string): void => {
      mkdirSync(join(mount, name));
      writeFileSync(join(mount, name, "shop.yaml"), text);
    };
    version("..2026_12_01_10_01_00.1", file("shop", ["errors"]));
    symlinkSync("..2026_12_01_10_01_00.1", join(mount, "..data"));
    symlinkSync("..data/shop.yaml", join(mount, "shop.yaml"));
    const { c } = catalogOver(mount);
    await c.reload();
    expect(ids(c)).toEqual(["shop-errors"]);
    c.watch(options);
    try {
      for (const [i, names] of [
        [2, ["errors", "latency"]],
        [3, ["errors", "latency", "availability"]],
      ] as const) {
        const next = `..2026_12_01_10_0${i}_00.${i}`;
        const previous = `..2026_12_01_10_0${i - 1}_00.${i - 1}`;
        version(next, file("shop", names));
        symlinkSync(next, join(mount, "..data_tmp"));
        renameSync(join(mount, "..data_tmp"), join(mount, "..data"));
        rmSync(join(mount, previous), { recursive: true });
        await until(() => c.list().length === names.length);
        expect(c.list()).toHaveLength(names.length);
      }
    } finally {
      c.close();
    }
  });

  it("keeps serving an SLO that disappears while an analysis of it is open, until it closes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "slogate-catalog-"));
    const path = join(dir, "shop.yaml");
    writeFileSync(path, file("shop", ["errors", "latency"]));
    const open = new Set(["shop-latency"]);
    const { c, lines, retired } = catalogOver(dir, (id) => open.has(id));
    await c.reload();
    // A file cut between the two SLOs: still a valid file, one SLO short.
    const full = file("shop", ["errors", "latency"]);
    writeFileSync(path, full.slice(0, full.indexOf("  - name: latency")));
    await c.reload();
    expect(c.status()).toMatchObject({
      valid: true,
      served: 1,
      retired: [{ id: "shop-latency", since: 1000 }],
    });
    expect(ids(c)).toEqual(["shop-errors"]);
    // The open analysis' next look still finds its SLO…
    expect(c.get("shop-latency").id).toBe("shop-latency");
    expect(lines.some((l) => l.includes("disappeared") && l.includes("shop-latency"))).toBe(true);
    expect(retired.at(-1)).toEqual(["shop-latency"]);
    // …an SLO without open analyses is gone at once (negative control)…
    writeFileSync(path, file("shop", ["latency"]));
    await c.reload();
    expect(() => c.get("shop-errors")).toThrow(/no SLO/);
    // …and a returning SLO is served from the files again, no longer retired.
    expect(c.status().retired).toEqual([]);
    writeFileSync(path, file("shop", ["errors"]));
    await c.reload();
    expect(c.get("shop-latency").id).toBe("shop-latency");
    open.clear();
    expect(() => c.get("shop-latency")).toThrow(/no SLO/);
    expect(c.status().retired).toEqual([]);
    expect(retired.at(-1)).toEqual([]);
  });

  it("says so when the first load has errors and there is no good version to fall back on", async () => {
    const dir = mkdtempSync(join(tmpdir(), "slogate-catalog-"));
    writeFileSync(
      join(dir, "bad.yaml"),
      "apiVersion: slogate.dev/v1\nkind: ServiceLevels\nservice: [broken\n",
    );
    const { c, lines } = catalogOver(dir);
    await c.reload();
    expect(c.status()).toMatchObject({ valid: false, everValid: false, served: 0 });
    expect(c.status().lastGoodAt).toBeUndefined();
    expect(lines.some((l) => l.includes("no good version to fall back on"))).toBe(true);
    expect(lines.some((l) => l.includes("serving the last good version"))).toBe(false);
    writeFileSync(join(dir, "bad.yaml"), file("shop", ["errors"]));
    await c.reload();
    expect(c.status()).toMatchObject({ valid: true, everValid: true, served: 1 });
  });
});
