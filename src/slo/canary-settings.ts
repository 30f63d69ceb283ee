/**
 * @module slo/canary-settings
 * Reads the `canary:` block of slogate's own format (at service level as defaults for every
 * SLO, and per SLO) and merges it over `defaultCanarySettings(kind)`. Pure.
 */
import { isValidLabelName } from "../promql/matchers.ts";
import { defaultCanarySettings, DEFAULT_FLAGGER_LABEL, DEFAULT_SELECTION_LABEL } from "./canary-defaults.ts";
import type { FieldReader } from "./field-reader.ts";
import type { ArmSelection } from "../promql/arm-selector.ts";
import type { CanarySettings, CheckSettings, Sli, SloKind } from "./model.ts";
import type { CheckKind, JudgeName } from "./model.ts";
import type { YamlPath } from "./problem.ts";
import { parsePrometheusDuration } from "./duration.ts";

/** What a `canary:` block sets; absent fields keep the defaults. */
export interface CanaryOverrides {
  judge?: JudgeName;
  selection?: { mode?: ArmSelection["mode"]; label?: string };
  alpha?: number;
  minRequests?: number;
  maxRegression?: { relative?: number; absolutePoints?: number };
  direction?: CanarySettings["direction"];
  checks?: Partial<Record<CheckKind, Partial<CheckSettings>>>;
  maxBadRatio?: number;
  noDataGraceSeconds?: number;
  dispersion?: number;
}

const JUDGES: readonly JudgeName[] = ["sequential", "kayenta", "threshold"];
const CHECKS: readonly CheckKind[] = ["relative", "absolute", "baseline"];
const DIRECTIONS: readonly CanarySettings["direction"][] = ["higher-is-worse", "lower-is-worse"];

/** Reads a `canary:` block at `path` (absent → no overrides). */
export function readCanaryOverrides(r: FieldReader, path: YamlPath): CanaryOverrides {
  const out: CanaryOverrides = {};
  if (r.map(path) === undefined) return out;
  r.onlyKeys(
    path,
    [
      "judge",
      "selection",
      "alpha",
      "minRequests",
      "maxRegression",
      "direction",
      "checks",
      "maxBadRatio",
      "noDataGrace",
      "dispersion",
    ],
    "canary",
  );
  const judge = oneOf(r, [...path, "judge"], JUDGES);
  if (judge !== undefined) out.judge = judge;
  if (r.map([...path, "selection"]) !== undefined) {
    const sp = [...path, "selection"];
    r.onlyKeys(sp, ["mode", "label"], "canary.selection");
    const mode = oneOf(r, [...sp, "mode"], ["label", "flagger"] as const);
    const label = r.string([...sp, "label"]);
    if (label !== undefined && !isValidLabelName(label)) {
      r.report(
        [...sp, "label"],
        `invalid Prometheus label name ${JSON.stringify(label)}`,
        "label names match [a-zA-Z_][a-zA-Z0-9_]*; Kubernetes' rollouts-pod-template-hash is rollouts_pod_template_hash in Prometheus",
      );
    } else {
      out.selection = { ...(mode === undefined ? {} : { mode }), ...(label === undefined ? {} : { label }) };
    }
  }
  const alpha = r.number([...path, "alpha"]);
  if (alpha !== undefined) {
    if (alpha > 0 && alpha < 0.5) out.alpha = alpha;
    else
      r.report(
        [...path, "alpha"],
        `alpha ${alpha} is out of range`,
        "alpha is a false-fail probability between 0 and 0.5, typically 0.05 or 0.01",
      );
  }
  const minRequests = r.number([...path, "minRequests"]);
  if (minRequests !== undefined) {
    if (Number.isInteger(minRequests) && minRequests >= 0) out.minRequests = minRequests;
    else
      r.report(
        [...path, "minRequests"],
        `minRequests ${minRequests} must be a whole number ≥ 0`,
        "e.g. minRequests: 1000",
      );
  }
  const grace = r.get([...path, "noDataGrace"]);
  if (grace !== undefined) {
    const seconds = typeof grace === "string" ? parsePrometheusDuration(grace) : undefined;
    if (seconds !== undefined && seconds >= 0 && seconds <= 86400) out.noDataGraceSeconds = seconds;
    else
      r.report(
        [...path, "noDataGrace"],
        `noDataGrace ${JSON.stringify(grace)} is not a duration between 0s and 24h`,
        "e.g. noDataGrace: 2m (how long an arm may have no series at all before a look is nodata)",
      );
  }
  const mp = [...path, "maxRegression"];
  if (r.map(mp) !== undefined) {
    r.onlyKeys(mp, ["relative", "absolutePoints"], "canary.maxRegression");
    const mr: { relative?: number; absolutePoints?: number } = {};
    const rel = r.number([...mp, "relative"]);
    if (rel !== undefined) {
      if (rel >= 0 && rel <= 10) mr.relative = rel;
      else
        r.report(
          [...mp, "relative"],
          `relative regression ${rel} is out of range`,
          "a fraction: 0.1 allows the canary to be 10 % worse than stable",
        );
    }
    const abs = r.number([...mp, "absolutePoints"]);
    if (abs !== undefined) {
      if (abs >= 0 && abs < 100) mr.absolutePoints = abs;
      else
        r.report(
          [...mp, "absolutePoints"],
          `absolute regression ${abs} is out of range`,
          "percentage points of bad events: 0.5 allows 0.5 pp more errors than stable",
        );
    }
    if (mr.relative === undefined && mr.absolutePoints === undefined) {
      r.report(
        mp,
        "maxRegression sets neither relative nor absolutePoints",
        "set relative (e.g. 0.1) and/or absolutePoints (e.g. 0.5)",
      );
    } else out.maxRegression = mr;
  }
  const direction = oneOf(r, [...path, "direction"], DIRECTIONS);
  if (direction !== undefined) out.direction = direction;
  const cp = [...path, "checks"];
  if (r.map(cp) !== undefined) {
    r.onlyKeys(cp, CHECKS, "canary.checks");
    const checks: Partial<Record<CheckKind, Partial<CheckSettings>>> = {};
    for (const c of CHECKS) {
      const p = [...cp, c];
      if (r.map(p) === undefined) continue;
      r.onlyKeys(p, ["enabled", "critical", "weight"], `canary.checks.${c}`);
      const s: { enabled?: boolean; critical?: boolean; weight?: number } = {};
      const enabled = r.boolean([...p, "enabled"]);
      if (enabled !== undefined) s.enabled = enabled;
      const critical = r.boolean([...p, "critical"]);
      if (critical !== undefined) s.critical = critical;
      const weight = r.number([...p, "weight"]);
      if (weight !== undefined) {
        if (weight >= 0) s.weight = weight;
        else r.report([...p, "weight"], `weight ${weight} is negative`, "weights are 0 or more");
      }
      checks[c] = s;
    }
    out.checks = checks;
  }
  const mbr = r.number([...path, "maxBadRatio"]);
  if (mbr !== undefined) {
    if (mbr > 0 && mbr < 1) out.maxBadRatio = mbr;
    else
      r.report(
        [...path, "maxBadRatio"],
        `maxBadRatio ${mbr} is out of range`,
        "a ratio between 0 and 1: 0.01 means at most 1 % bad events",
      );
  }
  const disp = r.number([...path, "dispersion"]);
  if (disp !== undefined) {
    if (Number.isFinite(disp) && disp >= 0 && disp <= 1000) out.dispersion = disp;
    else
      r.report(
        [...path, "dispersion"],
        `dispersion ${disp} is out of range`,
        "the squared coefficient of variation of the per-step bad ratio beyond binomial noise, ≥ 0 (e.g. 0.5; 0 = independent requests); leave it out to let slogate learn it",
      );
  }
  return out;
}

/** Applies overrides, in order, over the defaults for `kind`. */
export function mergeCanarySettings(kind: SloKind, ...layers: readonly CanaryOverrides[]): CanarySettings {
  const d = defaultCanarySettings(kind);
  let judge = d.judge;
  let mode = d.selection.mode;
  let label: string | undefined;
  let alpha = d.alpha;
  let minRequests = d.minRequests;
  let maxRegression = d.maxRegression;
  let direction = d.direction;
  const checks: Record<CheckKind, CheckSettings> = { ...d.checks };
  let maxBadRatio: number | undefined;
  let noDataGraceSeconds: number | undefined;
  let dispersion: number | undefined;
  for (const o of layers) {
    judge = o.judge ?? judge;
    if (o.selection?.mode !== undefined && o.selection.mode !== mode) {
      mode = o.selection.mode;
      label = undefined;
    }
    label = o.selection?.label ?? label;
    alpha = o.alpha ?? alpha;
    minRequests = o.minRequests ?? minRequests;
    maxRegression = o.maxRegression ?? maxRegression;
    direction = o.direction ?? direction;
    for (const c of CHECKS) {
      const s = o.checks?.[c];
      if (s !== undefined) checks[c] = { ...checks[c], ...s };
    }
    maxBadRatio = o.maxBadRatio ?? maxBadRatio;
    noDataGraceSeconds = o.noDataGraceSeconds ?? noDataGraceSeconds;
    dispersion = o.dispersion ?? dispersion;
  }
  const selection: ArmSelection = {
    mode,
    label: label ?? (mode === "flagger" ? DEFAULT_FLAGGER_LABEL : DEFAULT_SELECTION_LABEL),
  };
  return {
    judge,
    selection,
    alpha,
    minRequests,
    maxRegression,
    direction,
    checks,
    ...(maxBadRatio === undefined ? {} : { maxBadRatio }),
    ...(noDataGraceSeconds === undefined ? {} : { noDataGraceSeconds }),
    ...(dispersion === undefined ? {} : { dispersion }),
  };
}

function oneOf<T extends string>(r: FieldReader, path: YamlPath, allowed: readonly T[]): T | undefined {
  const v = r.string(path);
  if (v === undefined) return undefined;
  if ((allowed as readonly string[]).includes(v)) return v as T;
  r.report(
    path,
    `${JSON.stringify(v)} is not one of ${allowed.join(", ")}`,
    `use one of: ${allowed.join(", ")}`,
  );
  return undefined;
}

export { oneOf as readOneOf };

/** Minimum evaluation points before a pass, for SLIs whose "events" are points (see below). */
export const DEFAULT_MIN_POINTS = 10;

/**
 * Defaults that depend on the SLI, layered between the kind's defaults and the file's own
 * settings:
 * - `ratio` (a ratio query that could not be split into event queries): no request counts
 *   exist, so the judge defaults to `kayenta`, which compares per-step ratio points, and
 *   `minRequests` counts those points (default 10);
 * - `threshold`: events are evaluation points, so `minRequests` counts points (default 10).
 * - `resource`: events are the steps where both arms had pods, so `minRequests` counts steps
 *   (default 10), and canary pods may use 10 % more than stable's (`maxRegression.relative`).
 */
export function sliCanaryDefaults(sli: Sli): CanaryOverrides {
  if (sli.type === "ratio") return { judge: "kayenta", minRequests: DEFAULT_MIN_POINTS };
  if (sli.type === "threshold") return { minRequests: DEFAULT_MIN_POINTS };
  if (sli.type === "resource") return { minRequests: DEFAULT_MIN_POINTS, maxRegression: { relative: 0.1 } };
  return {};
}
