/**
 * @module notify/testdata/verdict-events
 * Verdict events as the service emits them, for notification tests: a typed `Slo` in the
 * normalized model and `SloVerdict`s shaped like the sequential judge's output (checks with
 * their evidence numbers).
 */
import type { VerdictEvent } from "../../domain/verdict-event.ts";
import type { CheckResult, SloVerdict, Verdict } from "../../domain/verdict.ts";
import { defaultAlertingSettings, defaultCanarySettings } from "../../slo/canary-defaults.ts";
import type { Slo } from "../../slo/model.ts";

/** An error-rate SLO of `service` (`checkout` by default) owned by `team`. */
export function makeSlo(opts: { service?: string; name?: string; team?: string } = {}): Slo {
  const service = opts.service ?? "checkout";
  const name = opts.name ?? "availability";
  return {
    id: `${service}-${name}`,
    service,
    name,
    kind: "error-rate",
    objectivePercent: 99.9,
    sli: {
      type: "events",
      bad: {
        text: 'sum(rate(http_requests_total{code=~"5..",{{.selector}}}[{{.window}}]))',
        hasWindow: true,
        hasSelector: true,
      },
      total: {
        text: "sum(rate(http_requests_total{{{.selector}}}[{{.window}}]))",
        hasWindow: true,
        hasSelector: true,
      },
    },
    periodSeconds: 30 * 86400,
    labels: opts.team === undefined ? {} : { team: opts.team },
    alerting: defaultAlertingSettings(),
    canary: defaultCanarySettings("error-rate"),
    source: { file: "slos/checkout.yaml", format: "slogate/v1", line: 5, col: 3 },
  };
}

const FAILING_CHECKS: CheckResult[] = [
  {
    id: "errors-relative",
    kind: "relative",
    status: "fail",
    critical: false,
    weight: 1,
    reason: "canary bad-event rate 2.1% is above stable's 0.4% + 0.5 pp (e-value 48.2 ≥ 1/α)",
    evidence: {
      canary_bad: 63,
      canary_total: 3000,
      stable_bad: 120,
      stable_total: 30000,
      canary_ratio: 0.021,
      stable_ratio: 0.004,
      e_value: 48.213,
      threshold: 20,
    },
  },
  {
    id: "errors-absolute",
    kind: "absolute",
    status: "fail",
    critical: true,
    weight: 1,
    reason: "canary bad-event rate 2.1% exceeds the SLO's 0.1% budget rate",
    evidence: { canary_ratio: 0.021, objective_ratio: 0.001, upper_bound: 0.0262, lower_bound: 0.0163 },
  },
  {
    id: "errors-baseline",
    kind: "baseline",
    status: "pass",
    critical: false,
    weight: 1,
    reason: "no baseline captured",
    evidence: { baseline_ratio: null },
  },
];

const PASSING_CHECKS: CheckResult[] = FAILING_CHECKS.map((c) => ({
  ...c,
  status: "pass",
  reason: `${c.id}: no evidence of a regression so far`,
}));

/** A verdict of the sequential judge. */
export function makeVerdict(slo: Slo, verdict: Verdict, opts: { final?: boolean } = {}): SloVerdict {
  const checks =
    verdict === "fail"
      ? FAILING_CHECKS
      : verdict === "pass"
        ? PASSING_CHECKS
        : PASSING_CHECKS.map((c) => ({ ...c, status: "inconclusive" as const }));
  return {
    slo: slo.id,
    judge: "sequential",
    verdict,
    final: opts.final ?? false,
    score: verdict === "fail" ? 33.33333333333333 : 100,
    reason:
      verdict === "fail"
        ? "2 of 3 checks failed, including the critical errors-absolute"
        : verdict === "pass"
          ? "no check found a regression"
          : "not enough canary traffic to decide (812 of 1000 requests)",
    checks,
  };
}

/** An event of analysis `analysisId` at unix second `at`. */
export function makeEvent(opts: {
  slo?: Slo;
  analysisId?: string;
  verdict: Verdict;
  previous?: Verdict;
  phase?: "open" | "closed";
  outcome?: VerdictEvent["outcome"];
  rollout?: string;
  at?: number;
  final?: boolean;
}): VerdictEvent {
  const slo = opts.slo ?? makeSlo({ team: "payments" });
  const analysisId = opts.analysisId ?? "an-1";
  return {
    analysisId,
    slo,
    verdict: makeVerdict(slo, opts.verdict, { final: opts.final ?? false }),
    ...(opts.previous === undefined ? {} : { previous: opts.previous }),
    phase: opts.phase ?? "open",
    ...(opts.outcome === undefined ? {} : { outcome: opts.outcome }),
    rollout: opts.rollout ?? "shop/checkout",
    controller: "argo",
    link: `http://slogate.example:8080/api/v1/analyses/${analysisId}`,
    at: opts.at ?? 1_795_000_000,
  };
}

/** A logger that keeps every line, for asserting on what was logged. */
export function recordingLogger(): {
  lines: { level: string; msg: string; fields: Record<string, unknown> }[];
  debug: (msg: string, fields?: Record<string, unknown>) => void;
  info: (msg: string, fields?: Record<string, unknown>) => void;
  warn: (msg: string, fields?: Record<string, unknown>) => void;
  error: (msg: string, fields?: Record<string, unknown>) => void;
} {
  const lines: { level: string; msg: string; fields: Record<string, unknown> }[] = [];
  const at =
    (level: string) =>
    (msg: string, fields: Record<string, unknown> = {}): void => {
      lines.push({ level, msg, fields });
    };
  return { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}
