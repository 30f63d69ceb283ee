/**
 * @module prometheus/read-resource
 * Reads a resource SLI's per-pod gauge per step from Prometheus: implements the
 * `ReadArmGauges` port. The SLI's query template is rendered for the arm (`{{.window}}` = the
 * step, the arm's matchers in `{{.selector}}` or injected into every vector selector) and
 * evaluated as one range query from start + step to the last full step ≤ end, every
 * `stepSeconds`. Each result series is one pod, named by the SLI's `podLabel`; series that
 * share a pod (e.g. the containers of one pod) are summed per step. Non-finite points (a 0/0
 * ratio) are dropped — they say nothing about the pod — but a result series without the pod
 * label is a configuration error (SLO_QUERY_INVALID): summing pods into one would make the
 * per-pod comparison a comparison of sums. `null` means the arm has no series at all. Backend
 * failures propagate as PROMETHEUS_* errors, never as made-up values.
 */
import { SlogateError, isSlogateError } from "../errors.ts";
import type { PodGauge } from "../domain/counts.ts";
import type { LabelMatcher } from "../promql/matchers.ts";
import { formatDurationMs } from "../promql/selector.ts";
import { renderQuery } from "../promql/template.ts";
import type { ResourceSli, Slo } from "../slo/model.ts";
import type { ReadArmGauges, TimeRange } from "../app/ports.ts";
import type { PrometheusClient } from "./http-client.ts";

/** Most evaluation points of one read (Prometheus refuses more than 11,000 per series). */
export const MAX_RESOURCE_POINTS = 11_000;

export interface ReadResourceOptions {
  readonly client: Pick<PrometheusClient, "queryRange">;
}

/** The range query of one arm: its PromQL and the evaluation times. */
export function resourceRangeQuery(
  sli: ResourceSli,
  arm: readonly LabelMatcher[],
  range: TimeRange,
): { query: string; start: number; end: number; step: number; points: number } {
  const step = sli.stepSeconds;
  const points = Math.floor((range.end - range.start) / step + 1e-9);
  const query = renderQuery(sli.query, { window: formatDurationMs(step * 1000), selector: arm });
  return { query, start: range.start + step, end: range.start + points * step, step, points };
}

/** Creates the `ReadArmGauges` adapter over a Prometheus client. */
export function createReadArmGauges(opts: ReadResourceOptions): ReadArmGauges {
  return async (slo: Slo, arm: readonly LabelMatcher[], range: TimeRange, signal?: AbortSignal) => {
    const sli = slo.sli;
    if (sli.type !== "resource") {
      throw new SlogateError("SLO_UNSUPPORTED", `SLO ${slo.id} is not a resource SLI`, {
        hint: "per-pod gauges are read for resource SLIs only",
        details: { slo: slo.id },
      });
    }
    if (!(Number.isFinite(range.start) && Number.isFinite(range.end) && range.start < range.end)) {
      throw new SlogateError("BAD_REQUEST", `invalid time range ${range.start}..${range.end}`, {
        hint: "the start of the analysis must be before the evaluation time",
      });
    }
    const q = resourceRangeQuery(sli, arm, range);
    if (q.points < 1) return [];
    if (q.points > MAX_RESOURCE_POINTS) {
      throw new SlogateError("BAD_REQUEST", `${q.points} evaluation points of SLO ${slo.id} requested`, {
        hint: `the resource SLI is evaluated every ${sli.stepSeconds}s: analyse at most ${MAX_RESOURCE_POINTS} points (a shorter range or a larger step)`,
        details: { slo: slo.id },
      });
    }
    let r;
    try {
      r = await opts.client.queryRange(q.query, { start: q.start, end: q.end, step: q.step }, signal);
    } catch (e) {
      if (!isSlogateError(e, "SLO_QUERY_INVALID")) throw e;
      throw new SlogateError("SLO_QUERY_INVALID", `SLO ${slo.id}: ${e.message}`, {
        hint: `fix the PromQL of SLO ${slo.id} in its file (check it with \`slogate validate\`); retrying will not help`,
        details: { slo: slo.id },
      });
    }
    if (r.type !== "matrix") {
      throw new SlogateError("PROMETHEUS_BAD_RESPONSE", `unexpected ${r.type} result for ${q.query}`, {
        hint: "the backend does not answer range queries like Prometheus",
        details: { query: q.query },
      });
    }
    if (r.series.length === 0) return null;
    const byPod = new Map<string, Map<number, number>>();
    for (const s of r.series) {
      const pod = s.labels[sli.podLabel];
      if (pod === undefined || pod === "") {
        throw new SlogateError(
          "SLO_QUERY_INVALID",
          `SLO ${slo.id}: a series of the resource query has no ${sli.podLabel} label (${JSON.stringify(s.labels)})`,
          {
            hint: `the query must return one series per pod: aggregate with sum by (${sli.podLabel}) (…), or set podLabel to the label that names the pod`,
            details: { slo: slo.id, query: q.query },
          },
        );
      }
      const points = byPod.get(pod) ?? new Map<number, number>();
      byPod.set(pod, points);
      for (const p of s.points) {
        if (!Number.isFinite(p.v)) continue;
        points.set(p.t, (points.get(p.t) ?? 0) + p.v);
      }
    }
    const out: PodGauge[] = [];
    for (const [pod, points] of [...byPod].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
      out.push({ pod, points: [...points].sort((a, b) => a[0] - b[0]).map(([t, v]) => ({ t, v })) });
    }
    return out;
  };
}
