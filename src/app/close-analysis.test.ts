import { describe, expect, it } from "vitest";
import { MemoryStore } from "../store/memory-store.ts";
import type { VerdictEvent } from "../domain/verdict-event.ts";
import { closeAnalysis, expireAnalyses } from "./close-analysis.ts";
import type { CloseAnalysisDeps } from "./deps.ts";
import { createJsonLogger } from "../main/json-logger.ts";
import { SloCatalog } from "../catalog/slo-catalog.ts";

const DAY = 86400;

function deps(events: VerdictEvent[]): CloseAnalysisDeps {
  const logger = createJsonLogger(() => undefined);
  return {
    store: new MemoryStore(),
    catalog: SloCatalog.of([], logger, () => 0),
    logger,
    listeners: [(e) => void events.push(e)],
    link: (id) => `http://x/api/v1/analyses/${id}`,
    wallClock: () => 50 * DAY,
  };
}

async function open(d: CloseAnalysisDeps, id: string, updatedAt: number): Promise<void> {
  await d.store.createAnalysis({
    id,
    sloId: "gone-slo",
    controller: "argo",
    selectors: { canary: [], stable: [] },
    start: updatedAt,
    createdAt: updatedAt,
    updatedAt,
  });
}

describe("retention", () => {
  it("expires idle open analyses, deletes old ones and old baselines, keeps recent ones", async () => {
    const d = deps([]);
    await open(d, "idle", 1 * DAY);
    await open(d, "recent", 45 * DAY);
    await open(d, "old-closed", 1 * DAY);
    await d.store.closeAnalysis("old-closed", "promoted", 2 * DAY);
    for (const [id, at] of [
      ["b-old", 1 * DAY],
      ["b-new", 40 * DAY],
    ] as const) {
      await d.store.putBaseline({
        id,
        sloId: "s",
        from: at - 3600,
        to: at,
        capturedAt: at,
        counts: { total: 1, bad: 0 },
        selector: [],
        source: "api",
      });
    }
    const r = await expireAnalyses(d, 50 * DAY, { analysesSeconds: 14 * DAY, baselinesSeconds: 30 * DAY });
    expect(r).toEqual({ expired: 1, deleted: 1, baselinesDeleted: 1 });
    expect(await d.store.getAnalysis("idle")).toMatchObject({ status: "closed", outcome: "expired" });
    expect(await d.store.getAnalysis("old-closed")).toBeUndefined();
    expect((await d.store.getAnalysis("recent"))?.status).toBe("open");
    expect((await d.store.listBaselines()).map((b) => b.id)).toEqual(["b-new"]);
  });

  it("closes an analysis whose SLO was removed since, without an event to send", async () => {
    const events: VerdictEvent[] = [];
    const d = deps(events);
    await open(d, "a", 1);
    await expect(closeAnalysis(d, "a", "aborted", 2)).resolves.toMatchObject({
      status: "closed",
      outcome: "aborted",
    });
    await expect(closeAnalysis(d, "a", "promoted", 3)).resolves.toMatchObject({ outcome: "aborted" });
    await expect(closeAnalysis(d, "missing", "aborted", 3)).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(events).toEqual([]);
  });
});
