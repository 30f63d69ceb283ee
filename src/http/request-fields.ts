/**
 * @module http/request-fields
 * Strict parsing of the values controllers send: times, counts, flags, and above all the
 * arm selector values that end up in PromQL. A selector value must be a Kubernetes label
 * value (what Argo's pod-template hashes and Flagger's workload names are); anything else is
 * refused with 400 before a query is built, on top of the escaping in `promql/matchers`.
 * Arm maps take Prometheus label names only — never `__`-prefixed (reserved: `__name__`
 * would replace the metric) and never `__proto__`/`constructor`/`prototype` — into objects
 * without a prototype. Ids follow the one grammar of `domain/ids`.
 */
import { SlogateError } from "../errors.ts";
import { ID_MAX_LENGTH, idProblem } from "../domain/ids.ts";
import { isValidLabelName } from "../promql/matchers.ts";

function bad(field: string, message: string, hint: string): never {
  throw new SlogateError("BAD_REQUEST", `${field}: ${message}`, { hint, details: { field } });
}

const K8S_LABEL_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** Keys that must never become properties of a plain object. */
const RESERVED_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/** The text of a scalar field, or undefined when absent/empty. */
export function optionalText(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value === "boolean") return String(value);
  if (typeof value !== "string") bad(field, "must be a string", `send ${field} as a string`);
  if (value.length > 1000) bad(field, "is too long", `send at most 1000 characters`);
  return value;
}

/** A required non-empty text field. */
export function requiredText(value: unknown, field: string): string {
  const v = optionalText(value, field);
  if (v === undefined) bad(field, "is required", `send ${field}`);
  return v;
}

/** A Kubernetes label value used as an arm selector (e.g. a pod-template hash). */
export function selectorValue(value: unknown, field: string): string {
  const v = requiredText(value, field);
  if (!K8S_LABEL_VALUE.test(v)) {
    bad(
      field,
      `${JSON.stringify(v.slice(0, 80))} is not a valid Kubernetes label value`,
      "pass the pod-template hash or workload name (letters, digits, '-', '_', '.', at most 63 characters)",
    );
  }
  return v;
}

/** A Kubernetes object name (Flagger's canary name, a namespace). */
export function objectName(value: unknown, field: string): string {
  const v = requiredText(value, field);
  if (v.length > 253 || !DNS_SUBDOMAIN.test(v)) {
    bad(
      field,
      `${JSON.stringify(v.slice(0, 80))} is not a Kubernetes object name`,
      "use a lowercase DNS-1123 name",
    );
  }
  return v;
}

/**
 * An arm given either as one value (matched on the SLO's selection label) or as a map of
 * label name → value (each an equality matcher).
 */
export function armValue(value: unknown, field: string): string | Readonly<Record<string, string>> {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0 || entries.length > 10)
      bad(field, "must have 1 to 10 labels", 'e.g. {"pod_template_hash": "abc"}');
    const out = Object.create(null) as Record<string, string>;
    for (const [k, v] of entries) {
      const where = `${field}.${JSON.stringify(k.slice(0, 80))}`;
      if (RESERVED_KEYS.has(k) || !isValidLabelName(k))
        bad(where, "is not a Prometheus label name", "use label names matching [a-zA-Z_][a-zA-Z0-9_]*");
      if (k.startsWith("__"))
        bad(where, "is a reserved label name", "names starting with __ are Prometheus' own (e.g. __name__)");
      out[k] = selectorValue(v, `${field}.${k}`);
    }
    return out;
  }
  return selectorValue(value, field);
}

const ID_HINT = `ids are 1 to ${ID_MAX_LENGTH} characters: letters, digits and . _ : = , - (starting with a letter or digit, no ..); see docs/service.md`;

/** An analysis id chosen by the caller; undefined when absent. */
export function analysisId(value: unknown, field: string): string | undefined {
  const v = optionalText(value, field);
  if (v === undefined) return undefined;
  const problem = idProblem(v);
  if (problem !== undefined) bad(field, `is not a valid id: it ${problem}`, ID_HINT);
  return v;
}

/** A required id (an analysis or baseline named in a path or body). */
export function requiredId(value: unknown, field: string): string {
  const v = analysisId(value, field);
  if (v === undefined) bad(field, "is required", ID_HINT);
  return v;
}

/** A time as Unix seconds or RFC 3339; undefined when absent. */
export function optionalTime(value: unknown, field: string): number | undefined {
  const v = optionalText(value, field);
  if (v === undefined) return undefined;
  if (/^[0-9]+(\.[0-9]+)?$/.test(v)) {
    const n = Number(v);
    // Milliseconds are a common mistake: 13 digits.
    if (n > 1e11) bad(field, "looks like milliseconds", "send Unix seconds or an RFC 3339 time");
    return n;
  }
  if (/^\d{4}-\d{2}-\d{2}T/.test(v)) {
    const ms = Date.parse(v);
    if (Number.isFinite(ms)) return ms / 1000;
  }
  bad(
    field,
    `${JSON.stringify(v.slice(0, 80))} is not a time`,
    "send Unix seconds or an RFC 3339 time like 2026-11-21T10:00:00Z",
  );
}

/** A positive integer (e.g. Argo's `count`); undefined when absent. */
export function optionalCount(value: unknown, field: string, max = 100_000): number | undefined {
  const v = optionalText(value, field);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max)
    bad(field, `must be an integer from 1 to ${max}`, `e.g. ${field}: 10`);
  return n;
}

/** A boolean sent as JSON or as `true`/`false`/`1`/`0`; undefined when absent. */
export function optionalFlag(value: unknown, field: string): boolean | undefined {
  const v = optionalText(value, field);
  if (v === undefined) return undefined;
  if (v === "true" || v === "1") return true;
  if (v === "false" || v === "0") return false;
  bad(field, "must be true or false", `e.g. ${field}: true`);
}
