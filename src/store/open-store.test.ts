import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPostgres, type PostgresBed } from "../testbed/postgres.ts";
import { isSlogateError } from "../errors.ts";
import { MemoryStore } from "./memory-store.ts";
import { openStore, postgresUrl } from "./open-store.ts";
import { PostgresStore } from "./postgres-store.ts";
import { SqliteStore } from "./sqlite-store.ts";

const dir = mkdtempSync(join(tmpdir(), "slogate-open-store-"));
let bed: PostgresBed;
beforeAll(async () => {
  bed = await startPostgres();
});
afterAll(async () => {
  await bed?.destroy();
});

function configError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return isSlogateError(e, "CONFIG_INVALID") ? e.message : `other error: ${String(e)}`;
  }
  return "no error";
}

describe("openStore", () => {
  it("opens SQLite in the data directory, memory, and PostgreSQL from a URL file", async () => {
    const sqlite = await openStore({ kind: "sqlite", dataDir: join(dir, "data") });
    expect(sqlite).toBeInstanceOf(SqliteStore);
    await sqlite.close();
    expect(await openStore({ kind: "memory", dataDir: "" })).toBeInstanceOf(MemoryStore);
    const file = join(dir, "url");
    writeFileSync(file, `${bed.url}\n`);
    const pgStore = await openStore({ kind: "postgres", dataDir: "", urlFile: file, schema: "opened" });
    expect(pgStore).toBeInstanceOf(PostgresStore);
    await pgStore.checkWritable(1);
    await pgStore.close();
  });

  it("refuses a missing URL file and a file without a postgres URL, without echoing its contents", () => {
    expect(
      configError(() => postgresUrl({ kind: "postgres", dataDir: "", urlFile: join(dir, "nope") })),
    ).toMatch(/ENOENT/);
    const file = join(dir, "bad");
    writeFileSync(file, "mysql://root:hunter2@db/x\n");
    const message = configError(() => postgresUrl({ kind: "postgres", dataDir: "", urlFile: file }));
    expect(message).toMatch(/does not start with a postgres:\/\/ URL/);
    expect(message).not.toMatch(/hunter2/);
  });
});
