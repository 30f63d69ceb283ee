/**
 * @module promql/kayenta-scope
 * How a Kayenta scope (`controlScope.scope` / `experimentScope.scope` of a canary execution
 * request) names an arm, for the Kayenta-compatible API (docs/service.md):
 *
 * - a bare value — a server group, a pod-template hash, a Flagger target — is matched through
 *   the SLO's `canary.selection`, exactly like Argo's `canary`/`stable` values
 *   (`{kind: "value"}`);
 * - label equalities — `app=guestbook and rollouts-pod-template-hash=abc` (the form of Argo's
 *   Kayenta documentation), `app="guestbook", pod_template_hash="abc"` or the same in braces
 *   — become equality matchers as written (`{kind: "labels"}`); `-` and `.` in a label name
 *   become `_`, as Prometheus' Kubernetes relabelling names pod labels.
 *
 * Nothing else is accepted: no regexes, no negations, no `or`. Pure.
 */
import { SlogateError } from "../errors.ts";
import { isValidLabelName, type LabelMatcher } from "./matchers.ts";

/** An arm named by a Kayenta scope. */
export type KayentaScopeArm =
  | { readonly kind: "value"; readonly value: string }
  | { readonly kind: "labels"; readonly matchers: readonly LabelMatcher[] };

const BARE_VALUE = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^[A-Za-z0-9._-]{0,63}$/;
const HINT =
  'a scope is a bare value matched through the SLO\'s canary.selection (e.g. a pod-template hash) or label equalities such as "app=guestbook and rollouts-pod-template-hash=abc"';

function bad(field: string, message: string): never {
  throw new SlogateError("LABEL_INVALID", `${field}: ${message}`, { hint: HINT, details: { field } });
}

/** Parses one scope; LABEL_INVALID (400) when it is neither form. */
export function parseKayentaScope(scope: string, field: string): KayentaScopeArm {
  const text = scope.trim();
  if (text === "") bad(field, "is empty");
  if (text.length > 1024) bad(field, `has ${text.length} characters (at most 1024)`);
  if (!text.includes("=")) {
    if (!BARE_VALUE.test(text)) bad(field, `${JSON.stringify(text.slice(0, 80))} is not a label value`);
    return { kind: "value", value: text };
  }
  const inner = text.startsWith("{") && text.endsWith("}") ? text.slice(1, -1) : text;
  const parts = inner
    .split(/\s+and\s+|\s*,\s*/i)
    .map((p) => p.trim())
    .filter((p) => p !== "");
  if (parts.length === 0 || parts.length > 10) bad(field, "must name 1 to 10 labels");
  const seen = new Set<string>();
  const matchers: LabelMatcher[] = [];
  for (const part of parts) {
    const m = /^([A-Za-z_][A-Za-z0-9_.\-/]*)\s*(==|=~|!=|!~|=)\s*(.*)$/.exec(part);
    if (m === null) bad(field, `${JSON.stringify(part.slice(0, 80))} is not label=value`);
    const [, rawName, op, rawValue] = m as unknown as [string, string, string, string];
    if (op !== "=" && op !== "==") bad(field, `only equalities are accepted (${rawName}${op}… is not)`);
    const name = rawName.replace(/[.\-/]/g, "_");
    if (!isValidLabelName(name) || name.startsWith("__")) bad(field, `${rawName} is not a usable label name`);
    if (seen.has(name)) bad(field, `label ${name} is named twice`);
    seen.add(name);
    const quoted = /^"(.*)"$|^'(.*)'$/.exec(rawValue);
    const value = quoted === null ? rawValue : (quoted[1] ?? quoted[2] ?? "");
    if (!LABEL_VALUE.test(value)) bad(field, `${JSON.stringify(value.slice(0, 80))} is not a label value`);
    matchers.push({ name, op: "=", value });
  }
  return { kind: "labels", matchers };
}
