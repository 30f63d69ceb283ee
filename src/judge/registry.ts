/**
 * @module judge/registry
 * The judges by name, and the top-level pure function the service calls for each look:
 * `judgeLook` picks the SLO's configured judge (`slo.canary.judge`, default `sequential`);
 * resource SLIs always get the per-pod resource judge (`resource-judge.ts`).
 * Pure.
 */
import { SlogateError } from "../errors.ts";
import type { JudgeName } from "../slo/model.ts";
import { kayentaJudge } from "./kayenta-judge.ts";
import { resourceJudge } from "./resource-judge.ts";
import { sequentialJudge } from "./sequential-judge.ts";
import { thresholdJudge } from "./threshold-judge.ts";
import type { Judge, JudgeInput, JudgeOutput } from "./types.ts";

const JUDGES: Readonly<Record<JudgeName, Judge<never>>> = {
  sequential: sequentialJudge as Judge<never>,
  kayenta: kayentaJudge as Judge<never>,
  threshold: thresholdJudge as Judge<never>,
};

/** Names of all judges. */
export const JUDGE_NAMES: readonly JudgeName[] = ["sequential", "kayenta", "threshold"];

/** The judge called `name`; throws SLO_INVALID for an unknown name. */
export function getJudge(name: string): Judge<unknown> {
  if (Object.hasOwn(JUDGES, name)) return JUDGES[name as JudgeName];
  throw new SlogateError("SLO_INVALID", `unknown judge "${name}"`, {
    hint: `set canary.judge to one of: ${JUDGE_NAMES.join(", ")}`,
    details: { judge: name },
  });
}

/**
 * Judges one look with the SLO's judge. A state left by another judge (the SLO's judge was
 * changed mid-analysis) is ignored by the new judge, which starts its test afresh.
 */
export function judgeLook(input: JudgeInput<unknown>): JudgeOutput<unknown> {
  // Resource SLIs (per-pod gauges) have their own sequential test, whatever canary.judge says.
  if (input.slo.sli.type === "resource")
    return (resourceJudge as Judge<never>).look(input as JudgeInput<never>);
  return getJudge(input.slo.canary.judge ?? "sequential").look(input);
}
