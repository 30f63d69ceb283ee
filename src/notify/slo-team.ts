/**
 * @module notify/slo-team
 * The team owning an SLO, as notifications see it: the same answer as the generated
 * Alertmanager routing (`generate/team.ts`), so a notification's `team` label matches the
 * route generated for that team. Pure.
 */
import type { Slo } from "../slo/model.ts";
import { sanitizeTeam, teamOf } from "../generate/team.ts";

export { sanitizeTeam };

/** The routing team of `slo` (its `team` label, else `owner`, else `defaultTeam`; sanitized). */
export function sloTeam(slo: Slo, defaultTeam: string): string {
  return teamOf(slo, defaultTeam);
}
