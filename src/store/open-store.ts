/**
 * @module store/open-store
 * Opens the store the service configuration names: SQLite in the data directory (the
 * embedded default, one replica), memory, or PostgreSQL (several replicas), reading the
 * PostgreSQL URL from a file (a mounted Secret) when configured so.
 */
import { readFileSync } from "node:fs";
import { SlogateError } from "../errors.ts";
import { MemoryStore } from "./memory-store.ts";
import { PostgresStore } from "./postgres-store.ts";
import { SqliteStore } from "./sqlite-store.ts";
import type { Store } from "../app/store-port.ts";

/** The `store` section of the service configuration. */
export interface StoreSettings {
  readonly kind: "sqlite" | "memory" | "postgres";
  readonly dataDir: string;
  readonly url?: string;
  readonly urlFile?: string;
  readonly schema?: string;
}

/** The PostgreSQL URL of `s`: `url`, or the first line of `urlFile`. */
export function postgresUrl(s: StoreSettings): string {
  if (s.url !== undefined && s.url !== "") return s.url;
  if (s.urlFile === undefined || s.urlFile === "") {
    throw new SlogateError("CONFIG_INVALID", "store kind postgres needs store.url or store.urlFile", {
      hint: "set store.url (or SLOGATE_STORE_URL), or store.urlFile pointing at a file with the URL",
    });
  }
  let text: string;
  try {
    text = readFileSync(s.urlFile, "utf8");
  } catch (cause) {
    throw new SlogateError(
      "CONFIG_INVALID",
      `cannot read store.urlFile ${s.urlFile}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`,
      { hint: "mount the Secret holding the PostgreSQL URL at that path", cause },
    );
  }
  const url = text.split(/\r?\n/)[0]!.trim();
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new SlogateError(
      "CONFIG_INVALID",
      `store.urlFile ${s.urlFile} does not start with a postgres:// URL`,
      {
        hint: "the file must hold one line: postgres://user:password@host:5432/database",
      },
    );
  }
  return url;
}

/** Opens (creating and migrating when needed) the configured store. */
export async function openStore(s: StoreSettings): Promise<Store> {
  if (s.kind === "memory") return new MemoryStore();
  if (s.kind === "sqlite") return SqliteStore.open(s.dataDir);
  return PostgresStore.open({ url: postgresUrl(s), ...(s.schema === undefined ? {} : { schema: s.schema }) });
}
