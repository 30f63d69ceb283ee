import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { describe, expect, it } from "vitest";
import { isSlogateError } from "../errors.ts";
import { describeStoreContract } from "./store-contract.ts";
import { SCHEMA_VERSION, SqliteStore } from "./sqlite-store.ts";

const tempDir = (): string => mkdtempSync(join(tmpdir(), "slogate-store-"));

describeStoreContract("SqliteStore", () => SqliteStore.open(tempDir()));

describe("SqliteStore on disk", () => {
  it("keeps analyses, looks, state and baselines across a reopen", async () => {
    const dir = tempDir();
    const s1 = SqliteStore.open(dir);
    await s1.createAnalysis({
      id: "a1",
      sloId: "s",
      controller: "argo",
      selectors: { canary: [], stable: [] },
      start: 10,
      createdAt: 10,
      updatedAt: 10,
    });
    await s1.appendLook(
      {
        analysisId: "a1",
        seq: 1,
        at: 70,
        recordedAt: 71,
        verdict: {
          slo: "s",
          judge: "sequential",
          verdict: "pass",
          final: false,
          score: 100,
          reason: "r",
          checks: [],
        },
      },
      { judgeState: { logE: 1.25 }, updatedAt: 71 },
    );
    await s1.close();
    const s2 = SqliteStore.open(dir);
    expect(await s2.getAnalysis("a1")).toMatchObject({
      looks: 1,
      judgeState: { logE: 1.25 },
      lastVerdict: "pass",
    });
    expect(await s2.listLooks("a1")).toHaveLength(1);
    await s2.close();
  });

  it("sets the schema version on a new file", async () => {
    const dir = tempDir();
    await SqliteStore.open(dir).close();
    const db = new DatabaseSync(join(dir, "slogate.db"));
    expect((db.prepare("PRAGMA user_version").get() as { user_version: number }).user_version).toBe(
      SCHEMA_VERSION,
    );
    db.close();
  });

  it("upgrades a schema-1 file in place, keeping its records", async () => {
    const dir = tempDir();
    const s1 = SqliteStore.open(dir);
    await s1.createAnalysis({
      id: "old",
      sloId: "s",
      controller: "argo",
      selectors: { canary: [], stable: [] },
      start: 1,
      createdAt: 1,
      updatedAt: 1,
    });
    await s1.close();
    // Back to what a schema-1 slogate left: no tables or index of schema 2 or later.
    const db = new DatabaseSync(join(dir, "slogate.db"));
    db.exec(
      "DROP TABLE read_states; DROP INDEX looks_at; DROP TABLE ticks; DROP TABLE leases; DROP TABLE outbox; DROP TABLE state; PRAGMA user_version = 1",
    );
    db.close();
    const s2 = SqliteStore.open(dir);
    expect(await s2.getAnalysis("old")).toMatchObject({ id: "old", looks: 0 });
    expect(await s2.claimTick("t", "r", 1)).toBe(true);
    expect(await s2.enqueueNotifications([{ target: "slack", key: "k", payload: {}, notBefore: 0 }], 1)).toBe(
      1,
    );
    await s2.close();
    const again = new DatabaseSync(join(dir, "slogate.db"));
    expect((again.prepare("PRAGMA user_version").get() as { user_version: number }).user_version).toBe(
      SCHEMA_VERSION,
    );
    again.close();
  });

  it("refuses a file from a newer schema without touching it", () => {
    const dir = tempDir();
    const db = new DatabaseSync(join(dir, "slogate.db"));
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 5}`);
    db.close();
    let err: unknown;
    try {
      SqliteStore.open(dir);
    } catch (e) {
      err = e;
    }
    expect(isSlogateError(err, "STORE_ERROR")).toBe(true);
    const again = new DatabaseSync(join(dir, "slogate.db"));
    expect((again.prepare("PRAGMA user_version").get() as { user_version: number }).user_version).toBe(
      SCHEMA_VERSION + 5,
    );
    again.close();
  });

  it("refuses a file that is not a database and leaves its bytes as they were", () => {
    const dir = tempDir();
    const path = join(dir, "slogate.db");
    const junk = "this is not sqlite, it is someone's notes\n".repeat(200);
    writeFileSync(path, junk);
    let err: unknown;
    try {
      SqliteStore.open(dir);
    } catch (e) {
      err = e;
    }
    expect(isSlogateError(err, "STORE_ERROR")).toBe(true);
    expect(readFileSync(path, "utf8")).toBe(junk);
  });

  it("reports a corrupt stored document as STORE_ERROR and keeps the other records", async () => {
    const dir = tempDir();
    const s = SqliteStore.open(dir);
    for (const id of ["good", "bad"]) {
      await s.createAnalysis({
        id,
        sloId: "s",
        controller: "cli",
        selectors: { canary: [], stable: [] },
        start: 1,
        createdAt: 1,
        updatedAt: 1,
      });
    }
    await s.close();
    const db = new DatabaseSync(join(dir, "slogate.db"));
    db.prepare("UPDATE analyses SET doc = '{broken' WHERE id = 'bad'").run();
    db.close();
    const s2 = SqliteStore.open(dir);
    let err: unknown;
    try {
      await s2.getAnalysis("bad");
    } catch (e) {
      err = e;
    }
    expect(isSlogateError(err, "STORE_ERROR")).toBe(true);
    expect(await s2.getAnalysis("good")).toMatchObject({ id: "good" });
    await s2.close();
  });
});
