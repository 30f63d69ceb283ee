/**
 * @module promql/matchers
 * Label matchers, the one place where user-supplied label names and values become PromQL.
 * Names are checked against Prometheus' grammar; values are escaped as PromQL double-quoted
 * strings, so a value like `x"}) or vector(1) #` stays a string literal. Pure.
 */
import { SlogateError } from "../errors.ts";

/** A PromQL label matcher: `name op "value"`. */
export interface LabelMatcher {
  readonly name: string;
  readonly op: "=" | "!=" | "=~" | "!~";
  readonly value: string;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** True when `name` is a valid (legacy-charset) Prometheus label name. */
export function isValidLabelName(name: string): boolean {
  return LABEL_NAME.test(name);
}

/** Throws LABEL_INVALID unless `name` is a valid Prometheus label name. */
export function assertLabelName(name: string): void {
  if (!isValidLabelName(name)) {
    throw new SlogateError("LABEL_INVALID", `invalid label name ${JSON.stringify(name)}`, {
      hint: "label names must match [a-zA-Z_][a-zA-Z0-9_]* (Kubernetes labels like 'rollouts-pod-template-hash' appear in Prometheus as 'rollouts_pod_template_hash')",
    });
  }
}

/** Escapes `value` as the body of a PromQL double-quoted string literal (with the quotes). */
export function quotePromqlString(value: string): string {
  let out = '"';
  for (const ch of value) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === "\\") out += "\\\\";
    else if (ch === '"') out += '\\"';
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return out + '"';
}

/** Renders one matcher, validating the name and escaping the value. */
export function formatMatcher(m: LabelMatcher): string {
  assertLabelName(m.name);
  return `${m.name}${m.op}${quotePromqlString(m.value)}`;
}

/** Renders matchers comma-separated, without braces (empty string for none). */
export function formatMatchers(ms: readonly LabelMatcher[]): string {
  return ms.map(formatMatcher).join(",");
}

/** Escapes a literal string for use inside a RE2 regex matcher value (before PromQL quoting). */
export function escapeRegex(value: string): string {
  return value.replace(/[\\^$.|?*+()[\]{}]/g, (c) => `\\${c}`);
}
