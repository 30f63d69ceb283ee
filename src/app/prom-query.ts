/**
 * @module app/prom-query
 * The use case behind slogate's Prometheus-compatible `GET /api/v1/query`, for Flagger's
 * `prometheus` metric provider (an unchanged MetricTemplate pointed at slogate): a
 * `slogate_verdict{…}` query (`promql/verdict-query`) is one look of one analysis per SLO it
 * names, and answers one number Flagger's `thresholdRange` compares:
 *
 * | combined verdict | value | with `thresholdRange: {min: 1}` |
 * | ---------------- | ----- | ------------------------------- |
 * | pass             | 1     | passes                          |
 * | fail             | 0     | a failed check                  |
 * | inconclusive     | -1    | a failed check                  |
 * | nodata           | -2    | a failed check                  |
 *
 * (fail > nodata > inconclusive > pass over the SLOs, as for Flagger's webhooks). No value is
 * NaN: Flagger reads NaN as "no values found", which it also fails, but without saying why.
 * A backend that cannot answer is an error (503), never a value.
 *
 * Which analysis a query belongs to: Flagger's metric checks carry no revision, so the key is
 * `promq:<namespace>:<arms>:<slo>` and attempts are counted here (`<key>`, `<key>:2`, …).
 * A query joins the latest attempt unless that attempt has not been looked at for longer than
 * the gap (3 × `interval`, at least 5 minutes): Flagger asks every `interval` while a canary
 * runs, so a longer silence is a new rollout. An attempt that failed keeps answering 0 until
 * then (Flagger counts a failed check per iteration until `threshold` rolls back); an open one
 * left behind is closed as aborted. A new attempt's data window starts one `interval` before
 * its first query (when Flagger shifted traffic to the canary), so its first look already
 * judges canary traffic.
 */
import { SlogateError } from "../errors.ts";
import type { LabelMatcher } from "../promql/matchers.ts";
import type { VerdictLabel } from "../promql/verdict-query.ts";
import type { Slo } from "../slo/model.ts";
import type { Verdict } from "../domain/verdict.ts";
import { analyzeLook, type LookResult } from "./analyze-look.ts";
import { latestAttempt } from "./argo-look.ts";
import { closeAnalysis } from "./close-analysis.ts";
import type { AnalyzeLookDeps, CloseAnalysisDeps } from "./deps.ts";
import { derivedId } from "./derived-id.ts";
import { assertFlaggerSlos, combineVerdicts } from "./flagger-hooks.ts";
import { parseSloRefs } from "./slo-refs.ts";

/** The number answered per combined verdict (see the module comment). */
export const VERDICT_VALUES: Readonly<Record<Verdict, number>> = {
  pass: 1,
  fail: 0,
  inconclusive: -1,
  nodata: -2,
};

/** Shortest silence after which a query starts a new attempt (seconds). */
export const MIN_ATTEMPT_GAP_SECONDS = 300;

/** What the query use case needs. */
export type PromQueryDeps = AnalyzeLookDeps &
  CloseAnalysisDeps & {
    readonly buildArmMatchers: (slo: Slo, arm: "canary" | "stable", value: string) => LabelMatcher[];
  };

/** The answer to one verdict query. */
export interface VerdictQueryAnswer {
  readonly verdict: Verdict;
  readonly value: number;
  /** The series' labels (strings, as Prometheus gives them). */
  readonly labels: Readonly<Record<string, string>>;
  /** One line per SLO: verdict, reason, link. */
  readonly infos: readonly string[];
  readonly looks: readonly LookResult[];
}

function slosOf(deps: PromQueryDeps, labels: Partial<Record<VerdictLabel, string>>): Slo[] {
  if (labels.slo !== undefined) {
    const refs = parseSloRefs(
      labels.slo,
      "slo",
      'e.g. slogate_verdict{slo="payments-latency,payments-errors", target="{{ target }}"}',
    );
    return refs.map((r) => deps.catalog.get(r));
  }
  const service = labels.service ?? "";
  const slos = deps.catalog.list().filter((s) => s.service === service);
  if (slos.length === 0) {
    throw new SlogateError("SLO_NOT_FOUND", `no SLO of service ${JSON.stringify(service)} is served`, {
      hint: "name a service of the loaded SLO files (GET /api/v1/slos lists them) or the SLOs with slo=",
    });
  }
  return slos;
}

/** A duration label such as Flagger's `{{ interval }}` (`1m`, `30s`, `2h`), in seconds. */
function intervalSeconds(text: string | undefined): number {
  if (text === undefined || text === "") return 60;
  const m = /^([0-9]+)(ms|s|m|h)$/.exec(text);
  if (m === null) {
    throw new SlogateError("BAD_REQUEST", `interval ${JSON.stringify(text.slice(0, 40))} is not a duration`, {
      hint: 'pass Flagger\'s interval unchanged: interval="{{ interval }}" (e.g. 1m)',
    });
  }
  const n = Number(m[1]);
  return m[2] === "h" ? n * 3600 : m[2] === "m" ? n * 60 : m[2] === "ms" ? n / 1000 : n;
}

/** The analysis this query's look of `slo` joins (see the module comment). */
async function attemptFor(deps: PromQueryDeps, key: string, at: number, gap: number): Promise<string> {
  const latest = await latestAttempt(deps.store, key);
  if (latest === undefined) return key;
  const a = await deps.store.getAnalysis(latest.id);
  if (a === undefined) return latest.id;
  const last = a.lastLookAt ?? a.start;
  if (at - last <= gap) return latest.id;
  if (a.status === "open") await closeAnalysis(deps, a.id, "aborted", at);
  return `${key}:${latest.n + 1}`;
}

/** Answers `slogate_verdict{…}` at `at` (Unix seconds): one look per SLO, combined. */
export async function answerVerdictQuery(
  deps: PromQueryDeps,
  labels: Partial<Record<VerdictLabel, string>>,
  at: number,
): Promise<VerdictQueryAnswer> {
  const slos = slosOf(deps, labels);
  const target = labels.target;
  if (target !== undefined) assertFlaggerSlos(slos);
  const canaryValue = target ?? labels.canary ?? "";
  const stableValue = target ?? labels.stable ?? "";
  const arms = target ?? `${canaryValue},${stableValue}`;
  const interval = intervalSeconds(labels.interval);
  const gap = Math.max(MIN_ATTEMPT_GAP_SECONDS, 3 * interval);
  const namespace = labels.namespace ?? "-";
  const rollout =
    labels.namespace === undefined || target === undefined ? undefined : `${namespace}/${target}`;
  const looks: LookResult[] = [];
  // One SLO after another: each look holds its analysis' lock; a backend error stops the query.
  for (const slo of slos) {
    const key = derivedId("promq", [namespace, arms, slo.id]);
    const analysisId = await attemptFor(deps, key, at, gap);
    looks.push(
      await analyzeLook(deps, {
        slo,
        analysisId,
        selectors: {
          canary: deps.buildArmMatchers(slo, "canary", canaryValue),
          stable: deps.buildArmMatchers(slo, "stable", stableValue),
        },
        controller: "flagger",
        at,
        // A new attempt's window starts one interval back: Flagger shifted the weight then, so
        // even its first look judges the canary's traffic (never a vacuous pass on no data).
        start: at - interval,
        ...(rollout === undefined ? {} : { rollout }),
      }),
    );
  }
  const verdict = combineVerdicts(looks.map((l) => l.look.verdict.verdict));
  const value = VERDICT_VALUES[verdict];
  return {
    verdict,
    value,
    labels: {
      __name__: "slogate_verdict",
      slo: slos.map((s) => s.id).join(","),
      verdict,
      ...(target === undefined ? { canary: canaryValue, stable: stableValue } : { target }),
      ...(labels.namespace === undefined ? {} : { namespace: labels.namespace }),
    },
    infos: looks.map(
      (l) => `${l.analysis.sloId}: ${l.look.verdict.verdict} — ${l.look.verdict.reason} (${l.link})`,
    ),
    looks,
  };
}
