/**
 * @module judge/types
 * The judges' own interface: one look's input (SLO, data, time, previous state) and output
 * (verdict and the state to store). The shared vocabulary lives in `src/domain/`.
 */
import type { LookData } from "../domain/counts.ts";
import type { SloVerdict } from "../domain/verdict.ts";
import type { JudgeName } from "../slo/model.ts";
import type { Slo } from "../slo/model.ts";

/** Input of one look. `state` is what the previous look of the same analysis returned. */
export interface JudgeInput<S> {
  readonly slo: Slo;
  readonly data: LookData;
  /** Unix seconds; judges never read the clock. */
  readonly now: number;
  /** Whether this is the analysis' final look (no more data will come). */
  readonly final: boolean;
  readonly state: S | undefined;
}

export interface JudgeOutput<S> {
  readonly verdict: SloVerdict;
  /** JSON-serializable; stored and handed back at the next look. */
  readonly state: S;
}

/** A judge: pure, deterministic, no I/O. */
export interface Judge<S = unknown> {
  readonly name: JudgeName;
  look(input: JudgeInput<S>): JudgeOutput<S>;
}
