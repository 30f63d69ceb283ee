/**
 * @module generate/slo-rules
 * Prometheus rules for one SLO, named and labelled as Sloth names them so Sloth's Grafana
 * dashboards (14348, 14643) and users' queries keep working, without Sloth's flaws:
 * - the raw series are read once, over 5 minutes (`slo:sli_bad_events:rate5m`,
 *   `slo:sli_total_events:rate5m`); every longer window, the period included, is the ratio of
 *   the sums of those recordings over the window — traffic-weighted and exact on uneven
 *   traffic, where Sloth's period SLI averages 5-minute ratios (biased) and every other Sloth
 *   window re-reads the raw series (the cost that overloads Prometheus with 400+ SLOs);
 * - windows of a day and more sum the 5-minute event counts sampled every 4 minutes in a
 *   slower group (`generateLongSliRecordings`), so the period window stays cheap;
 * - objectives, budgets and burn thresholds are exact decimals (`0.001`, `0.0144`);
 * - alerts carry a stable tier label `sloth_severity` (page | ticket) plus `severity` (same
 *   value unless the SLO overrides it) and the owning `team`, for routing and inhibition.
 * Threshold SLIs record, at every evaluation, their bad points (0/1 per series) and points
 * (`slo:sli_bad_points:sum`, `slo:sli_points:count`); every window is the ratio of the sums of
 * those over the window — exactly the share of bad evaluation points, never an average of
 * ratios — with the long windows chained through 4-minute sums in the slow group.
 * Only ratio SLIs (no event counts) read the raw query at each window, and their period SLI
 * averages the 5-minute ratio, as nothing better exists without counts. Pure.
 */
import {
  errorBudgetRatio,
  formatDecimal,
  formatPromqlNumber,
  mul,
  objectiveRatio,
  parseDecimal,
  toNumber,
} from "../slo/decimal.ts";
import type { Slo } from "../slo/model.ts";
import {
  BASE_WINDOW_SECONDS,
  burnWindowsFor,
  recordedWindowsFor,
  type AlertTier,
  type BurnWindow,
} from "./alert-windows.ts";
import { formatPromDuration } from "./prometheus-duration.ts";
import type { AlertingRule, RecordingRule, RuleGroup } from "./rule-group.ts";
import { buildSliExpression } from "./sli-expressions.ts";
import {
  BAD_EVENTS_5M,
  BAD_EVENTS_INCREASE_5M,
  BAD_POINTS,
  BAD_POINTS_4M,
  errorRatioSeries,
  LONG_SUM_RANGE,
  LONG_WINDOW_INTERVAL,
  LONG_WINDOW_SECONDS,
  POINTS,
  POINTS_4M,
  slothIdLabels,
  sloSelector,
  TOTAL_EVENTS_5M,
  TOTAL_EVENTS_INCREASE_5M,
} from "./slo-rule-names.ts";
import { teamOf } from "./team.ts";
import { generateTimesliceGroups } from "./timeslice-rules.ts";

/** Generation settings shared by all SLOs. */
export interface SloRuleOptions {
  /** Team for SLOs without a `team`/`owner` label. */
  readonly defaultTeam: string;
}

function recording(record: string, expr: string, labels: Record<string, string>): RecordingRule {
  return { kind: "record", record, expr, labels };
}

/** SLI recordings: 5-minute events, then every window chained from them. */
export function generateSliRecordings(slo: Slo): RuleGroup {
  const base = { ...slo.labels, ...slothIdLabels(slo) };
  const sel = sloSelector(slo);
  const baseWindow = formatPromDuration(BASE_WINDOW_SECONDS);
  const rules: RecordingRule[] = [];
  const sli = buildSliExpression(slo.sli, baseWindow);
  const windows = recordedWindowsFor(slo.periodSeconds);
  if (sli.type === "threshold") {
    rules.push(recording(BAD_POINTS, sli.bad, base));
    rules.push(recording(POINTS, sli.total, base));
    for (const w of windows.filter((x) => x < LONG_WINDOW_SECONDS)) {
      const window = formatPromDuration(w);
      const expr = `sum_over_time(${BAD_POINTS}${sel}[${window}])\n/\nsum_over_time(${POINTS}${sel}[${window}])`;
      rules.push(recording(errorRatioSeries(w), expr, { ...base, sloth_window: window }));
    }
  } else if (sli.type === "events") {
    const labels5m = { ...base, sloth_window: baseWindow };
    rules.push(recording(BAD_EVENTS_5M, sli.bad, labels5m));
    rules.push(recording(TOTAL_EVENTS_5M, sli.total, labels5m));
    for (const w of windows.filter((x) => x < LONG_WINDOW_SECONDS)) {
      const window = formatPromDuration(w);
      const expr =
        w === BASE_WINDOW_SECONDS
          ? `${BAD_EVENTS_5M}${sel}\n/\n${TOTAL_EVENTS_5M}${sel}`
          : `sum_over_time(${BAD_EVENTS_5M}${sel}[${window}])\n/\nsum_over_time(${TOTAL_EVENTS_5M}${sel}[${window}])`;
      rules.push(recording(errorRatioSeries(w), expr, { ...base, sloth_window: window }));
    }
  } else {
    for (const w of windows) {
      const window = formatPromDuration(w);
      const e = buildSliExpression(slo.sli, window);
      const expr =
        w === slo.periodSeconds
          ? `avg_over_time(${errorRatioSeries(BASE_WINDOW_SECONDS)}${sel}[${window}])`
          : e.type === "events"
            ? `(${e.bad})\n/\n(${e.total})`
            : e.badRatio;
      rules.push(recording(errorRatioSeries(w), expr, { ...base, sloth_window: window }));
    }
  }
  return { name: `slogate-slo-sli-recordings-${slo.id}`, rules };
}

/**
 * Long-window recordings (1 day and more: 1d, 3d, the period) of an events SLI, in their own
 * group evaluated every 4 minutes: `slo:sli_{bad,total}_events:increase5m` samples the
 * 5-minute recordings as event counts every 4 minutes, and each long window divides the sums
 * of those. A 30-day window then reads 10,800 samples per series instead of 43,200 (1-minute
 * global interval) or 172,800 (15 s), and runs a quarter (or a sixteenth) as often; the
 * ticket alerts these windows feed move at most 4 minutes later. 4 minutes, not 5, so a
 * sample is always within Prometheus' 5-minute lookback. Undefined for ratio SLIs.
 */
export function generateLongSliRecordings(slo: Slo): RuleGroup | undefined {
  if (slo.sli.type === "ratio") return undefined;
  const base = { ...slo.labels, ...slothIdLabels(slo) };
  const sel = sloSelector(slo);
  const long = recordedWindowsFor(slo.periodSeconds).filter((x) => x >= LONG_WINDOW_SECONDS);
  if (slo.sli.type === "threshold") {
    // Sums over the group's interval less a millisecond: Prometheus 2 range selections are
    // closed at both ends, so (t − 4m, t] makes every point fall in exactly one 4-minute sum.
    const rules: RecordingRule[] = [
      recording(BAD_POINTS_4M, `sum_over_time(${BAD_POINTS}${sel}[${LONG_SUM_RANGE}])`, base),
      recording(POINTS_4M, `sum_over_time(${POINTS}${sel}[${LONG_SUM_RANGE}])`, base),
    ];
    for (const w of long) {
      const window = formatPromDuration(w);
      rules.push(
        recording(
          errorRatioSeries(w),
          `sum_over_time(${BAD_POINTS_4M}${sel}[${window}])\n/\nsum_over_time(${POINTS_4M}${sel}[${window}])`,
          { ...base, sloth_window: window },
        ),
      );
    }
    return { name: `slogate-slo-sli-long-recordings-${slo.id}`, interval: LONG_WINDOW_INTERVAL, rules };
  }
  const labels5m = { ...base, sloth_window: formatPromDuration(BASE_WINDOW_SECONDS) };
  const rules: RecordingRule[] = [
    recording(BAD_EVENTS_INCREASE_5M, `${BAD_EVENTS_5M}${sel} * 300`, labels5m),
    recording(TOTAL_EVENTS_INCREASE_5M, `${TOTAL_EVENTS_5M}${sel} * 300`, labels5m),
  ];
  for (const w of recordedWindowsFor(slo.periodSeconds).filter((x) => x >= LONG_WINDOW_SECONDS)) {
    const window = formatPromDuration(w);
    rules.push(
      recording(
        errorRatioSeries(w),
        `sum_over_time(${BAD_EVENTS_INCREASE_5M}${sel}[${window}])\n/\nsum_over_time(${TOTAL_EVENTS_INCREASE_5M}${sel}[${window}])`,
        { ...base, sloth_window: window },
      ),
    );
  }
  return { name: `slogate-slo-sli-long-recordings-${slo.id}`, interval: LONG_WINDOW_INTERVAL, rules };
}

/** Meta recordings: objective, budget, period, burn rates, remaining budget, info. */
export function generateMetaRecordings(slo: Slo, options: SloRuleOptions): RuleGroup {
  const base = { ...slo.labels, ...slothIdLabels(slo) };
  const sel = sloSelector(slo);
  const on = "/ on (sloth_id, sloth_slo, sloth_service) group_left";
  const period = errorRatioSeries(slo.periodSeconds);
  const days = formatPromqlNumber(parseDecimal(slo.periodSeconds / 86_400));
  return {
    name: `slogate-slo-meta-recordings-${slo.id}`,
    rules: [
      recording(
        "slo:objective:ratio",
        `vector(${formatPromqlNumber(objectiveRatio(slo.objectivePercent))})`,
        base,
      ),
      recording(
        "slo:error_budget:ratio",
        `vector(${formatPromqlNumber(errorBudgetRatio(slo.objectivePercent))})`,
        base,
      ),
      recording("slo:time_period:days", `vector(${days})`, base),
      recording(
        "slo:current_burn_rate:ratio",
        `${errorRatioSeries(BASE_WINDOW_SECONDS)}${sel}\n${on}\nslo:error_budget:ratio${sel}`,
        base,
      ),
      recording("slo:period_burn_rate:ratio", `${period}${sel}\n${on}\nslo:error_budget:ratio${sel}`, base),
      recording("slo:period_error_budget_remaining:ratio", `1 - slo:period_burn_rate:ratio${sel}`, base),
      recording("sloth_slo_info", "vector(1)", {
        ...base,
        sloth_mode: "slogate",
        sloth_objective: formatPromqlNumber(parseDecimal(slo.objectivePercent)),
        sloth_spec: slo.source.format,
        sloth_version: "slogate",
      }),
      recording("slogate_slo_owner_info", "vector(1)", {
        service: slo.service,
        slo: slo.name,
        sloth_id: slo.id,
        team: teamOf(slo, options.defaultTeam),
      }),
    ],
  };
}

/** `MyServiceRequestsAvailability` style default alert name from the SLO id. */
export function defaultAlertName(slo: Slo): string {
  const words = slo.id.split(/[^a-zA-Z0-9]+/).filter((w) => w !== "");
  const name = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join("");
  return `${/^[a-zA-Z_]/.test(name) ? "" : "Slo"}${name}ErrorBudgetBurn`;
}

function burnCondition(slo: Slo, w: BurnWindow): string {
  const threshold = formatPromqlNumber(mul(w.burnFactor, errorBudgetRatio(slo.objectivePercent)));
  const sel = sloSelector(slo);
  const one = (seconds: number): string =>
    `max(${errorRatioSeries(seconds)}${sel} > ${threshold}) without (sloth_window)`;
  return `(\n    ${one(w.shortWindowSeconds)}\n    and\n    ${one(w.longWindowSeconds)}\n)`;
}

function describeWindows(ws: readonly BurnWindow[]): string {
  return ws
    .map(
      (w) =>
        `${formatDecimal(w.burnFactor) ?? `≈${toNumber(w.burnFactor).toFixed(3)}`}x over ${formatPromDuration(w.longWindowSeconds)} and ${formatPromDuration(w.shortWindowSeconds)} (${w.errorBudgetPercent}% of the budget)`,
    )
    .join("; ");
}

/** The page and ticket multi-window multi-burn-rate alerts of an SLO (enabled ones only). */
export function generateBurnAlerts(slo: Slo, options: SloRuleOptions): RuleGroup | undefined {
  const windows = burnWindowsFor(slo.periodSeconds);
  const name = slo.alerting.name ?? defaultAlertName(slo);
  const rules: AlertingRule[] = [];
  for (const tier of ["page", "ticket"] as const satisfies readonly AlertTier[]) {
    const settings = slo.alerting[tier];
    if (!settings.enabled) continue;
    // A window longer than the period says nothing about its budget (periods under a day).
    const ws = windows.filter((w) => w.tier === tier && w.longWindowSeconds <= slo.periodSeconds);
    if (ws.length === 0) continue;
    rules.push({
      kind: "alert",
      alert: name,
      expr: ws.map((w) => burnCondition(slo, w)).join("\nor\n"),
      labels: {
        severity: tier,
        team: teamOf(slo, options.defaultTeam),
        ...slo.alerting.labels,
        ...settings.labels,
        sloth_severity: tier,
      },
      annotations: {
        title: `(${tier}) {{$labels.sloth_service}} {{$labels.sloth_slo}} SLO error budget burn rate is too fast.`,
        summary: `${slo.service} ${slo.name}: error budget of the ${formatPromDuration(slo.periodSeconds)} ${formatPromqlNumber(parseDecimal(slo.objectivePercent))}% SLO burning too fast`,
        description: `Burn-rate windows: ${describeWindows(ws)}.`,
        ...slo.alerting.annotations,
        ...settings.annotations,
      },
    });
  }
  return rules.length === 0 ? undefined : { name: `slogate-slo-alerts-${slo.id}`, rules };
}

/**
 * All rule groups of one SLO: SLI recordings, meta recordings, alerts. An SLO budgeted by time
 * slices (`slo.budgeting`) keeps its per-evaluation recordings (the 5-minute events, a
 * threshold SLI's points) and gets its windows from the slices (`./timeslice-rules.ts`).
 */
export function generateSloRuleGroups(slo: Slo, options: SloRuleOptions): RuleGroup[] {
  const alerts = generateBurnAlerts(slo, options);
  const meta = generateMetaRecordings(slo, options);
  const tail = [meta, ...(alerts === undefined ? [] : [alerts])];
  if (slo.budgeting !== undefined) {
    const sli = generateSliRecordings(slo);
    const perEvaluation = sli.rules.filter(
      (r) => r.kind !== "record" || !r.record.startsWith("slo:sli_error:"),
    );
    return [
      ...(perEvaluation.length === 0 ? [] : [{ ...sli, rules: perEvaluation }]),
      ...generateTimesliceGroups(slo, slo.budgeting),
      ...tail,
    ];
  }
  const long = generateLongSliRecordings(slo);
  return [generateSliRecordings(slo), ...(long === undefined ? [] : [long]), ...tail];
}
