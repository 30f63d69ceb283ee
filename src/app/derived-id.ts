/**
 * @module app/derived-id
 * Analysis ids slogate derives when a controller sends none (Argo: SLO and arms; Flagger:
 * namespace, name, SLO and checksum), always in the id grammar of `domain/ids`.
 */
import { createHash } from "node:crypto";
import { idProblem } from "../domain/ids.ts";

/**
 * An id slogate derives from parts (`prefix:part:part…`): the parts joined with `:` when that
 * follows the id grammar, otherwise `prefix:sha256-<32 hex>` of the joined text (same input,
 * same id).
 */
export function derivedId(prefix: string, parts: readonly string[]): string {
  const joined = [prefix, ...parts].join(":");
  if (idProblem(joined) === undefined) return joined;
  return `${prefix}:sha256-${createHash("sha256").update(joined).digest("hex").slice(0, 32)}`;
}
