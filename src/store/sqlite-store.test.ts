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
  it("keeps analyses, looks, state and baselines across a reopen", () => {
    const dir = tempDir();
    const s1 = SqliteStore.open(dir);
    s1.createAnalysis({
      id: "a1",
      sloId: "s",
      controller: "argo",
      selectors: { canary: [], stable: [] },
      start: 10,
      createdAt: 10,
      updatedAt: 10,
    });
    s1.appendLook(
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
    s1.close();
    const s2 = SqliteStore.open(dir);
    expect(s2.getAnalysis("a1")).toMatchObject({ looks: 1, judgeState: { logE: 1.25 }, lastVerdict: "pass" });
    expect(s2.listLooks("a1")).toHaveLength(1);
    s2.close();
  });

  it("sets the schema version on a new file", () => {
    const dir = tempDir();
    SqliteStore.open(dir).close();
    const db = new DatabaseSync(join(dir, "slogate.db"));
    expect((db.prepare("PRAGMA user_version").get() as { user_version: number }).user_version).toBe(
      SCHEMA_VERSION,
    );
    db.close();
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

  it("reports a corrupt stored document as STORE_ERROR and keeps the other records", () => {
    const dir = tempDir();
    const s = SqliteStore.open(dir);
    for (const id of ["good", "bad"]) {
      s.createAnalysis({
        id,
        sloId: "s",
        controller: "cli",
        selectors: { canary: [], stable: [] },
        start: 1,
        createdAt: 1,
        updatedAt: 1,
      });
    }
    s.close();
    const db = new DatabaseSync(join(dir, "slogate.db"));
    db.prepare("UPDATE analyses SET doc = '{broken' WHERE id = 'bad'").run();
    db.close();
    const s2 = SqliteStore.open(dir);
    let err: unknown;
    try {
      s2.getAnalysis("bad");
    } catch (e) {
      err = e;
    }
    expect(isSlogateError(err, "STORE_ERROR")).toBe(true);
    expect(s2.getAnalysis("good")).toMatchObject({ id: "good" });
    s2.close();
  });
});
