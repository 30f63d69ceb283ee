/**
 * @module app/backtest
 * "What would the gate have said about last Tuesday's deploy?": replays an analysis over a
 * past window, look by look, with the same use case the service runs, on a throwaway
 * in-memory store. The baseline is captured from the window before the replay starts. With an
 * incremental reader (`readArmCountsFrom`) each look reads only the samples since the previous
 * one, from the reader state the scratch store keeps — the path the service takes, so a
 * 10,000-look replay reads each sample about once instead of once per later look.
 */
import type { Slo } from "../slo/model.ts";
import type { AnalysisRecord, BaselineRecord, LookRecord, Store } from "./store-port.ts";
import { analyzeLook, type ArmSelectors } from "./analyze-look.ts";
import { captureBaseline } from "./capture-baseline.ts";
import type { AnalyzeLookDeps, GateDeps } from "./deps.ts";
import { SlogateError } from "../errors.ts";

export interface BacktestRequest {
  readonly slo: Slo;
  readonly selectors: ArmSelectors;
  /** Stable matchers for the baseline window; omit or set `baselineWindowSeconds` 0 to skip. */
  readonly baselineWindowSeconds?: number;
  readonly from: number;
  readonly to: number;
  readonly intervalSeconds: number;
}

export interface BacktestResult {
  readonly looks: readonly LookRecord[];
  /** The first look whose verdict was `fail`, if any. */
  readonly firstFail?: number;
  readonly baseline: { readonly captured: boolean; readonly reason?: string };
  /** The replayed analysis and its baseline as the store held them (for `--html` reports). */
  readonly stored: {
    readonly analysis: AnalysisRecord | undefined;
    readonly baseline: BaselineRecord | null;
  };
}

/** What a backtest needs: the readers and judge of a look, and a scratch store of its own. */
export type BacktestDeps = Pick<
  GateDeps,
  | "readArmCounts"
  | "readArmCountsFrom"
  | "readArmSeries"
  | "seriesStepSeconds"
  | "readArmGauges"
  | "judge"
  | "logger"
  | "wallClock"
> & {
  /** A new, empty store the replay records into (never the service's store). */
  readonly scratchStore: () => Store;
};

/** Largest replay accepted (looks). */
export const MAX_BACKTEST_LOOKS = 10_000;

/** Replays the analysis; stops at the first `fail` (the analysis ends there, as in production). */
export async function backtest(deps: BacktestDeps, req: BacktestRequest): Promise<BacktestResult> {
  if (!(req.to > req.from) || !(req.intervalSeconds > 0)) {
    throw new SlogateError("BAD_REQUEST", "backtest needs from < to and a positive interval", {
      hint: "e.g. --from 2026-11-17T10:00:00Z --to 2026-11-17T11:00:00Z --interval 1m",
    });
  }
  const count = Math.ceil((req.to - req.from) / req.intervalSeconds);
  if (count > MAX_BACKTEST_LOOKS) {
    throw new SlogateError("BAD_REQUEST", `backtest would take ${count} looks (max ${MAX_BACKTEST_LOOKS})`, {
      hint: "use a longer --interval or a shorter window",
    });
  }
  const store = deps.scratchStore();
  const local: AnalyzeLookDeps = {
    ...deps,
    store,
    metrics: undefined,
    listeners: [],
    link: (id) => `backtest:${id}`,
  };
  const id = "backtest";
  let baseline: BacktestResult["baseline"] = { captured: false, reason: "baseline window is 0" };
  let baselineRecord: BaselineRecord | null = null;
  const window = req.baselineWindowSeconds ?? 0;
  if (window > 0) {
    const r = await captureBaseline(local, {
      slo: req.slo,
      selector: req.selectors.stable,
      at: req.from,
      windowSeconds: window,
      source: "cli",
    });
    baseline = r.captured ? { captured: true } : { captured: false, reason: r.reason };
    if (r.captured) baselineRecord = r.baseline;
  }
  const looks: LookRecord[] = [];
  let firstFail: number | undefined;
  for (let k = 1; k <= count; k++) {
    const at = Math.min(req.to, req.from + k * req.intervalSeconds);
    const r = await analyzeLook(local, {
      slo: req.slo,
      analysisId: id,
      selectors: req.selectors,
      controller: "cli",
      at,
      start: req.from,
      expectedLooks: count,
    });
    looks.push(r.look);
    if (r.look.verdict.verdict === "fail") {
      firstFail = r.look.seq;
      break;
    }
  }
  return {
    looks,
    ...(firstFail === undefined ? {} : { firstFail }),
    baseline,
    stored: { analysis: await store.getAnalysis(id), baseline: baselineRecord },
  };
}
