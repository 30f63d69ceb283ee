/**
 * SLO reload through the running service (real files in a temp dir, the service's own watcher):
 * a file cut between two SLOs drops one from under an open analysis — the controller's next look
 * of that analysis is still judged (not a 404), `/metrics` and `/api/v1/slos` say the SLO is
 * retired but served, and once the analysis closes the SLO is gone.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GateService } from "../../src/main/gate-service.ts";
import { startLocalServer, type LocalServer } from "../prometheus/local-server.ts";
import { BED_SERVICES, BED_START, bedSloYaml } from "../../src/testbed/gate-bed.ts";
import { getJson, memoryLogger, postJson, startHarnessService } from "../../src/testbed/service-harness.ts";

const MATRIX = `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"x","pod":"p"},"values":[[${BED_START - 30},"0"],[${BED_START + 900},"3000"]]}]}}`;
const VECTOR_1 = `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[${BED_START},"1"]}]}}`;

let backend: LocalServer;
let gate: GateService;
let dir: string;
const healthy = BED_SERVICES.healthy;
const logger = memoryLogger();

beforeAll(async () => {
  backend = await startLocalServer((req, res) => {
    res
      .writeHead(200, { "Content-Type": "application/json" })
      .end(req.body.includes("vector%281%29") ? VECTOR_1 : MATRIX);
  });
  dir = mkdtempSync(join(tmpdir(), "slogate-reload-"));
  writeFileSync(join(dir, `${healthy.service}.yaml`), bedSloYaml(healthy));
  gate = await startHarnessService({
    prometheusUrl: backend.url,
    slosDir: dir,
    watch: true,
    logger,
    now: () => BED_START + 900,
    configYaml: "series:\n  step: 0\n",
  });
});
afterAll(async () => {
  await gate?.close();
  await backend?.close();
});

async function until(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !ok(); i++) await new Promise((r) => setTimeout(r, 20));
}

const look = (slo: string, time: number) =>
  postJson(`${gate.url}/api/v1/verdict`, {
    slo,
    canary: healthy.canary,
    stable: healthy.stable,
    start: BED_START,
    time,
    count: 10,
  });

describe("an SLO cut from its file while an analysis of it is open", () => {
  it("keeps answering the open analysis, says so, and drops the SLO once the analysis closes", async () => {
    const errors = `${healthy.service}-errors`;
    const latency = `${healthy.service}-latency`;
    const first = await look(errors, BED_START + 300);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const id = first.body.analysis.id as string;

    // Cut the file just before the second SLO (latency first, errors second in the bed's file).
    const text = bedSloYaml(healthy);
    writeFileSync(join(dir, `${healthy.service}.yaml`), text.slice(0, text.indexOf("  - name: errors")));
    await until(() => gate.catalog.list().length === 1);
    expect(gate.catalog.list().map((s) => s.id)).toEqual([latency]);
    expect(gate.catalog.status()).toMatchObject({ valid: true, retired: [{ id: errors }] });

    const second = await look(errors, BED_START + 600);
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    expect(second.body.analysis).toMatchObject({ id, look: 2 });
    const slos = await getJson(`${gate.url}/api/v1/slos`);
    expect(slos.body.status.retired).toEqual([{ id: errors, since: expect.any(Number) }]);
    const metrics = await (await fetch(`${gate.url}/metrics`)).text();
    expect(metrics).toContain(`slogate_slo_retired_serving{slo="${errors}"} 1`);
    expect(logger.lines.some((l) => l.includes("disappeared") && l.includes(errors))).toBe(true);

    const closed = await postJson(`${gate.url}/api/v1/analyses/close`, { analysis: id, outcome: "aborted" });
    expect(closed.status).toBe(200);
    const after = await look(errors, BED_START + 900);
    expect(after.status).toBe(404);
    expect(after.body.error.code).toBe("SLO_NOT_FOUND");
    expect(gate.catalog.status().retired).toEqual([]);
  });
});
