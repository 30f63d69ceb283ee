/**
 * @module domain/verdict-event
 * What the service tells listeners (notifications) after every look and when an analysis
 * closes, and the structured logger every layer writes to. Types only.
 */
import type { Slo } from "../slo/model.ts";
import type { SloVerdict, Verdict } from "./verdict.ts";

/** Structured logger (JSON lines in production). Fields must be JSON-serializable. */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/**
 * Emitted by the service after every look of an analysis, and when an analysis closes
 * (promoted, rolled back, expired). Listeners (notifications) must not block or throw:
 * the verdict returned to the rollout controller never waits for them.
 */
export interface VerdictEvent {
  readonly analysisId: string;
  readonly slo: Slo;
  readonly verdict: SloVerdict;
  /** The previous look's verdict of the same analysis, if any. */
  readonly previous?: Verdict;
  /** `open` while looks continue; `closed` once the analysis ended (with its outcome). */
  readonly phase: "open" | "closed";
  readonly outcome?: "promoted" | "rolled-back" | "aborted" | "expired";
  /** Who asked: e.g. the Argo rollout or Flagger canary, `namespace/name`, if known. */
  readonly rollout?: string;
  readonly controller?: "argo" | "flagger" | "cli";
  /** Absolute URL of the analysis in slogate's API. */
  readonly link: string;
  /** Unix seconds. */
  readonly at: number;
}

export type VerdictListener = (event: VerdictEvent) => void;
