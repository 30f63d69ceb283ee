/**
 * @module notify/alertmanager-alert
 * The Alertmanager v2 alert for a failing canary: labels that route (service, SLO, analysis,
 * rollout, team, severity — the labels `slogate generate`'s Alertmanager routing matches) and
 * annotations carrying the numbers and a link. Labels identify the alert, so one analysis of one SLO is one alert however
 * many looks fail. Pure: times are parameters.
 */
import type { VerdictEvent } from "../domain/verdict-event.ts";
import type { AlertmanagerNotifyConfig } from "../config/notify-config.ts";
import { sloTeam } from "./slo-team.ts";
import { checkNumbers, countedChecks, describeCheck, failingChecks, formatNumber } from "./check-evidence.ts";

/** One element of the `POST /api/v2/alerts` body (`postableAlert`). */
export interface AlertmanagerAlert {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** RFC 3339. */
  readonly startsAt: string;
  /** RFC 3339; in the future while firing (expiry if never re-sent), `now` when resolved. */
  readonly endsAt: string;
  readonly generatorURL?: string;
}

/**
 * The identifying labels of the canary alert of `event`'s analysis: the configured static
 * labels, then slogate's own — `alertname`, `service`, `slo` (the SLO's name), `sloth_id`
 * (`<service>-<slo>`, what the generated routing groups and inhibits by), `analysis`,
 * `rollout`, `team` (see `sloTeam`), `severity` and `sloth_severity` (the generated routing's
 * tier) — the label set of the generated Prometheus rule `SlogateCanaryVerdictFail` apart
 * from `alertname` (keep the names distinct: Prometheus resolving its alert would end ours).
 * Empty values are left out (Alertmanager drops empty labels).
 */
export function buildCanaryAlertLabels(
  event: VerdictEvent,
  config: AlertmanagerNotifyConfig,
  defaultTeam: string,
): Record<string, string> {
  const merged: Record<string, string | undefined> = {
    ...config.labels,
    alertname: config.alertname,
    service: event.slo.service,
    slo: event.slo.name,
    sloth_id: event.slo.id,
    analysis: event.analysisId,
    rollout: event.rollout,
    team: sloTeam(event.slo, defaultTeam),
    severity: config.severity,
    sloth_severity: config.severity,
  };
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(merged)) {
    if (v !== undefined && v !== "") out[k] = v;
  }
  return out;
}

/**
 * Annotations: a one-line summary, the judge's reason, the failing checks with their numbers
 * (`failing_checks`: reason and evidence; `checks`: one line each, canary vs stable vs limit,
 * what the generated Slack receivers show), the link, and `runbook_url` when the SLO's
 * alerting annotations name one (`runbook_url` or Sloth's `runbook`).
 */
export function buildCanaryAlertAnnotations(event: VerdictEvent): Record<string, string> {
  const v = event.verdict;
  const failing = failingChecks(v);
  const counted = countedChecks(v);
  const where = `${event.slo.service}/${event.slo.name}`;
  const runbook = event.slo.alerting.annotations.runbook_url ?? event.slo.alerting.annotations.runbook;
  return {
    ...(runbook === undefined || runbook === "" ? {} : { runbook_url: runbook }),
    checks: failing.map((c) => `• ${c.id}${c.critical ? " (critical)" : ""}: ${checkNumbers(c)}`).join("\n"),
    summary:
      `Canary failed its SLO ${where}${event.rollout === undefined ? "" : ` (rollout ${event.rollout})`}: ` +
      `${failing.length} of ${counted.length} checks failing, score ${formatNumber(v.score)}`,
    description: v.reason,
    failing_checks: failing.map(describeCheck).join("\n"),
    failing_check_count: String(failing.length),
    score: formatNumber(v.score),
    judge: v.judge,
    objective: `${event.slo.objectivePercent}%`,
    link: event.link,
  };
}

/** RFC 3339 of unix seconds. */
export function rfc3339(unixSeconds: number): string {
  return new Date(Math.round(unixSeconds * 1000)).toISOString();
}

/** A stable identity of a label set (Alertmanager deduplicates on the same set). */
export function labelFingerprint(labels: Readonly<Record<string, string>>): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
