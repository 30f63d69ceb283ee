/**
 * @module report/testdata/analyses
 * Stored analyses for the page tests, judged by the real judge (`judgeLook`) over synthetic
 * looks: a passing and a failing error-rate canary, a latency canary with histograms and a
 * baseline, one whose canary never sent data, and one whose verdict carries a degraded
 * `environment`. Pure.
 */
import type { ArmCounts, LookData } from "../../domain/counts.ts";
import type { SloVerdict } from "../../domain/verdict.ts";
import { judgeLook } from "../../judge/registry.ts";
import { BUCKETS_30, errorSlo, latencySlo } from "../../judge/testdata/slo-fixtures.ts";
import { looksFrom, repeat, type Step } from "../../judge/testdata/looks.ts";
import type { Slo } from "../../slo/model.ts";
import type { AnalysisRecord, ArmTotals, BaselineRecord, LookRecord } from "../../app/store-port.ts";

/** Start of every fixture analysis (Unix seconds). */
export const FIXTURE_START = 1_700_000_000;

export interface StoredAnalysis {
  readonly slo: Slo;
  readonly analysis: AnalysisRecord;
  readonly looks: readonly LookRecord[];
  readonly baseline: BaselineRecord | null;
}

function totals(a: ArmCounts | null | undefined): ArmTotals | null {
  if (a === null || a === undefined) return null;
  return a.histogram === undefined ? { total: a.total, bad: a.bad } : { total: a.total, bad: a.bad, histogram: a.histogram };
}

interface Options {
  readonly baseline?: ArmCounts;
  /** Added to every verdict (what a newer judge reports). */
  readonly environment?: unknown;
  readonly expectedLooks?: number;
}

/** Judges `data` look by look as the service would, and returns what the store would hold. */
export function judged(id: string, slo: Slo, data: readonly LookData[], o: Options = {}): StoredAnalysis {
  const expected = o.expectedLooks ?? data.length;
  const baseline: BaselineRecord | null =
    o.baseline === undefined
      ? null
      : {
          id: `${id}-baseline`,
          sloId: slo.id,
          from: FIXTURE_START - 3600,
          to: FIXTURE_START,
          capturedAt: FIXTURE_START,
          counts: o.baseline,
          selector: [{ name: "rollouts_pod_template_hash", op: "=", value: "stable1" }],
          source: "cli",
        };
  let state: unknown;
  const looks: LookRecord[] = [];
  for (const [i, d0] of data.entries()) {
    const d: LookData = {
      ...d0,
      since: FIXTURE_START,
      at: FIXTURE_START + d0.at,
      ...(baseline === null ? {} : { baseline: { ...baseline.counts, capturedAt: baseline.capturedAt, from: baseline.from } }),
    };
    const seq = i + 1;
    const out = judgeLook({ slo, data: d, now: d.at, final: seq === expected, state });
    state = out.state;
    const verdict: SloVerdict =
      o.environment === undefined ? out.verdict : ({ ...out.verdict, environment: o.environment } as SloVerdict);
    looks.push({
      analysisId: id,
      seq,
      at: d.at,
      verdict,
      arms: { canary: totals(d.canary), stable: totals(d.stable), baseline: totals(d.baseline) },
      recordedAt: d.at + 1,
    });
    if (verdict.verdict === "fail" || seq === expected) break;
  }
  const last = looks.at(-1);
  const closed = last !== undefined && (last.verdict.verdict === "fail" || last.verdict.final);
  const lastAt = last?.at ?? FIXTURE_START;
  const analysis: AnalysisRecord = {
    id,
    sloId: slo.id,
    controller: "argo",
    rollout: `shop/${id}`,
    selectors: {
      canary: [{ name: "rollouts_pod_template_hash", op: "=", value: "canary1" }],
      stable: [{ name: "rollouts_pod_template_hash", op: "=", value: "stable1" }],
    },
    start: FIXTURE_START,
    expectedLooks: expected,
    ...(baseline === null ? {} : { baselineId: baseline.id }),
    createdAt: FIXTURE_START,
    updatedAt: lastAt,
    status: closed ? "closed" : "open",
    ...(closed
      ? { outcome: last.verdict.verdict === "pass" ? "promoted" : "rolled-back", closedAt: lastAt }
      : {}),
    looks: looks.length,
    ...(last === undefined ? {} : { lastVerdict: last.verdict.verdict, lastLookAt: last.at }),
  };
  return { slo, analysis, looks, baseline };
}

const LOOKS = 12;

/** A healthy error-rate canary: 1 % errors on both arms, 12 looks, final pass. */
export function passingAnalysis(): StoredAnalysis {
  return judged("fixture-pass", errorSlo(), looksFrom(repeat(LOOKS, { canary: [400, 4], stable: [1600, 16] })), {
    baseline: { total: 50_000, bad: 500 },
  });
}

/** A canary with 6 % errors against stable's 1 %: fails after a few looks. */
export function failingAnalysis(): StoredAnalysis {
  return judged("fixture-fail", errorSlo(), looksFrom(repeat(LOOKS, { canary: [150, 4], stable: [1600, 16] })), {
    baseline: { total: 50_000, bad: 500 },
  });
}

/** A canary that never exported a series: every look has no canary data. */
export function noDataAnalysis(): StoredAnalysis {
  return judged("fixture-nodata", errorSlo(), looksFrom(repeat(4, { canary: null, stable: [1600, 16] })), {
    expectedLooks: LOOKS,
  });
}

/** The failing canary with a verdict that says the environment was degraded. */
export function degradedAnalysis(): StoredAnalysis {
  return judged("fixture-degraded", errorSlo(), looksFrom(repeat(LOOKS, { canary: [600, 14], stable: [1600, 40] })), {
    environment: { status: "degraded", reason: "the stable arm's bad ratio rose to 2.5 % against a baseline of 1 %" },
  });
}

function histogramStep(shift: number): readonly number[] {
  // 150 requests over the 30 buckets, mass around 80 ms, moved `shift` buckets to the right.
  const base = BUCKETS_30.map((_, i) => Math.max(0, 120 - 12 * Math.abs(i - 10 - shift)));
  const sum = base.reduce((s, x) => s + x, 0);
  return base.map((x) => Math.round((x * 150) / sum));
}

/** A latency canary (histograms on both arms, a baseline): 8 looks, slower canary. */
export function latencyAnalysis(): StoredAnalysis {
  const slo = latencySlo();
  const ch = histogramStep(2);
  const sh = histogramStep(0);
  const bad = (h: readonly number[]): number => h.reduce((s, c, i) => s + ((BUCKETS_30[i] ?? 0) > 0.2 ? c : 0), 0);
  const total = (h: readonly number[]): number => h.reduce((s, c) => s + c, 0);
  const step: Step = {
    canary: [total(ch), bad(ch)],
    stable: [total(sh), bad(sh)],
    canaryHist: ch,
    stableHist: sh,
  };
  const bh = histogramStep(0).map((c) => c * 20);
  return judged("fixture-latency", slo, looksFrom(repeat(8, step), BUCKETS_30), {
    baseline: { total: total(bh), bad: bad(bh), histogram: { bounds: BUCKETS_30, counts: bh } },
  });
}
