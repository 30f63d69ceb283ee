import { mkdtempSync, renameSync, writeFileSync } from "node:fs";
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

function catalogOver(dir: string) {
  const loads: boolean[] = [];
  const lines: string[] = [];
  const c = new SloCatalog({
    paths: [dir],
    load: loadSloFiles,
    logger: createJsonLogger((l) => void lines.push(l)),
    now: () => 1000,
    onLoad: (ok) => void loads.push(ok),
  });
  return { c, loads, lines };
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
});
