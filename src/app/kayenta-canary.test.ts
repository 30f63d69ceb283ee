import { describe, expect, it } from "vitest";
import { MemoryStore } from "../store/memory-store.ts";
import { KAYENTA_EXECUTIONS, pruneCanaryExecutions } from "./kayenta-canary.ts";

describe("pruneCanaryExecutions", () => {
  it("deletes the executions created before the cut-off and keeps the rest and other state", async () => {
    const store = new MemoryStore();
    for (const [key, createdAt] of [
      ["a".repeat(32), 100],
      ["b".repeat(32), 499],
      ["c".repeat(32), 500],
      ["d".repeat(32), 900],
    ] as const) {
      await store.putState({
        namespace: KAYENTA_EXECUTIONS,
        key,
        value: { id: key, createdAt },
        updatedAt: createdAt,
      });
    }
    await store.putState({ namespace: "other", key: "x", value: { createdAt: 1 }, updatedAt: 1 });
    expect(await pruneCanaryExecutions(store, 500)).toBe(2);
    expect((await store.listState(KAYENTA_EXECUTIONS)).map((r) => r.key)).toEqual([
      "c".repeat(32),
      "d".repeat(32),
    ]);
    expect(await store.listState("other")).toHaveLength(1);
    expect(await pruneCanaryExecutions(store, 500)).toBe(0);
  });
});
