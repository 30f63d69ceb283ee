/**
 * @module generate/team
 * Which team owns an SLO, for alert routing: the `team` label of the SLO (service labels are
 * merged into it by the parsers), else `owner` (Sloth's examples use it), else the default.
 * Team names become Alertmanager receiver names and file names, so they are reduced to
 * `[a-z0-9-]`. Pure.
 */
import type { Slo } from "../slo/model.ts";

/** Lower-cases and replaces anything outside `[a-z0-9-]` with `-`. */
export function sanitizeTeam(team: string): string {
  const s = team
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return s === "" ? "default" : s;
}

/** The team that owns `slo`. */
export function teamOf(slo: Slo, defaultTeam: string): string {
  return sanitizeTeam(slo.labels["team"] ?? slo.labels["owner"] ?? defaultTeam);
}
