/**
 * @module promql/arm-selector
 * The label matchers that select the canary or the stable arm, from an SLO's
 * `canary.selection` and the value the rollout controller passes:
 * - `label` mode (Argo Rollouts): `<label>="<pod-template hash>"`, e.g.
 *   `rollouts_pod_template_hash="6d4f8b9c7"`;
 * - `flagger` mode: the controller passes the target name; on `pod` (the default) the canary
 *   is `pod=~"<target>-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)"` and stable (the primary)
 *   `pod=~"<target>-primary-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)"` (Flagger's own patterns); on a
 *   workload label such as `deployment`, equality with `<target>` / `<target>-primary`.
 * Values are validated strictly (Kubernetes label-value / DNS-1123 syntax) before use, so a
 * request cannot smuggle anything into a query even before escaping. Pure.
 */
import { SlogateError } from "../errors.ts";
import { assertLabelName, escapeRegex, type LabelMatcher } from "./matchers.ts";

/**
 * How the canary, stable and baseline arms are selected in Prometheus.
 * - `label`: an equality matcher on `label` (default `rollouts_pod_template_hash`); the
 *   rollout controller passes the canary and stable values (Argo's pod-template hashes).
 * - `flagger`: Flagger's workloads. The canary is `<target>`, the primary `<target>-primary`;
 *   matched on `label` (default `pod`) with Flagger's own pod-name regex
 *   `<target>-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)` / `<target>-primary-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)`,
 *   or, when `label` is a workload label such as `deployment`, by equality.
 * The baseline (captured before the deploy) uses the stable arm's selector at capture time.
 */
export type ArmSelection =
  { readonly mode: "label"; readonly label: string } | { readonly mode: "flagger"; readonly label: string };

/** A Kubernetes label value: ≤ 63 chars, alphanumerics with `-_.` inside. */
const LABEL_VALUE = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/;
/** A DNS-1123 subdomain-ish workload name (lowercase, digits, `-`, `.`), ≤ 253 chars. */
const WORKLOAD_NAME = /^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/;

/** Which arm: the new version, or the one serving production. */
export type SelectedArm = "canary" | "stable";

function invalid(what: string, value: string, hint: string): SlogateError {
  return new SlogateError("LABEL_INVALID", `invalid ${what} ${JSON.stringify(value)}`, {
    hint,
    details: { value },
  });
}

/** The matchers selecting one arm. Throws LABEL_INVALID for a bad label or value. */
export function buildArmMatchers(selection: ArmSelection, arm: SelectedArm, value: string): LabelMatcher[] {
  assertLabelName(selection.label);
  if (selection.mode === "label") {
    if (!LABEL_VALUE.test(value)) {
      throw invalid(
        `${arm} ${selection.label} value`,
        value,
        "pass the pod-template hash exactly as Argo Rollouts gives it (valueFrom.podTemplateHashValue: Latest / Stable)",
      );
    }
    return [{ name: selection.label, op: "=", value }];
  }
  if (!WORKLOAD_NAME.test(value)) {
    throw invalid(
      `${arm} Flagger target`,
      value,
      "pass the Flagger canary's target name (a Kubernetes workload name such as 'podinfo')",
    );
  }
  const workload = arm === "canary" ? value : `${value}-primary`;
  if (selection.label === "pod") {
    return [{ name: "pod", op: "=~", value: `${escapeRegex(workload)}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)` }];
  }
  return [{ name: selection.label, op: "=", value: workload }];
}

/** Both arms' matchers at once. */
export function buildArmSelectors(
  selection: ArmSelection,
  values: { readonly canary: string; readonly stable: string },
): { canary: LabelMatcher[]; stable: LabelMatcher[] } {
  return {
    canary: buildArmMatchers(selection, "canary", values.canary),
    stable: buildArmMatchers(selection, "stable", values.stable),
  };
}
