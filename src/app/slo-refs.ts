/**
 * @module app/slo-refs
 * A comma-separated list of SLO references, as Flagger's metadata and the Prometheus-compatible
 * query name them. Pure.
 */
import { SlogateError } from "../errors.ts";

/** Most SLOs one request may name. */
export const MAX_SLO_REFS = 20;

/** The references in `text` (trimmed, empty ones dropped); 1 to MAX_SLO_REFS, else BAD_REQUEST naming `field`. */
export function parseSloRefs(text: string, field: string, hint: string): string[] {
  const refs = text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (refs.length === 0 || refs.length > MAX_SLO_REFS) {
    throw new SlogateError("BAD_REQUEST", `${field} must list 1 to ${MAX_SLO_REFS} SLOs`, { hint });
  }
  return refs;
}
