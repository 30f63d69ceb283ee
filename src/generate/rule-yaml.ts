/**
 * @module generate/rule-yaml
 * A small, fast YAML writer for rule groups (the general `yaml` stringifier takes seconds on
 * 1,000 SLOs). Output is plain block YAML: keys in a fixed order, labels sorted, multi-line
 * expressions as literal blocks (`|-`), strings plain only when unambiguous (identifiers, paths,
 * label-like values) and otherwise double-quoted with JSON escapes — valid YAML 1.1 and 1.2,
 * so a label value like `2`, `yes` or `on` stays a string for every Prometheus version. Pure.
 */
import type { Rule, RuleGroup } from "./rule-group.ts";

const RESERVED = /^(?:true|false|null|yes|no|on|off|y|n|~|=|<<)$/i;
/** Characters a plain scalar may not start with (YAML indicators, and signs/dots of numbers). */
const BAD_START = /^[-?:,[\]{}#&*!|>'"%@`+.\s]/;
/** A leading digit is fine only for durations (`5m`) and arithmetic (`1 - x`), never numbers. */
const DIGIT_START = /^[0-9]/;
const DURATION = /^[0-9]+[a-z]+$|^[0-9]+ [-+*/] /;

/** True when `s` reads back as the same string from a plain (unquoted) YAML 1.1/1.2 scalar. */
function isPlainSafe(s: string): boolean {
  if (s === "" || RESERVED.test(s) || BAD_START.test(s)) return false;
  if (DIGIT_START.test(s) && !DURATION.test(s)) return false;
  if (
    [...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f) ||
    /\s$/.test(s) ||
    s.endsWith(":")
  ) {
    return false;
  }
  return !s.includes(": ") && !s.includes(" #");
}

/** A YAML scalar for `s` on one line: plain when unambiguous, else double-quoted (JSON escapes). */
export function yamlScalar(s: string): string {
  return isPlainSafe(s) ? s : JSON.stringify(s);
}

/** `key: value` for a string value at `indent`, using a literal block for multi-line text. */
function field(indent: string, key: string, value: string): string {
  // `|-` keeps no final newline, `|` exactly one; anything else is quoted.
  const body = value.endsWith("\n") ? value.slice(0, -1) : value;
  const chomp = value.endsWith("\n") ? "|" : "|-";
  if (value.includes("\n") && body !== "" && !/^\s/.test(body) && !/\s$/.test(body) && !/[\r\t]/.test(body)) {
    const inner = `${indent}  `;
    return `${indent}${key}: ${chomp}\n${body
      .split("\n")
      .map((l) => (l === "" ? "" : inner + l))
      .join("\n")}\n`;
  }
  return `${indent}${key}: ${yamlScalar(value)}\n`;
}

function map(indent: string, key: string, m: Readonly<Record<string, string>>): string {
  const keys = Object.keys(m).sort();
  if (keys.length === 0) return "";
  return `${indent}${key}:\n${keys.map((k) => field(`${indent}  `, yamlScalar(k), m[k]!)).join("")}`;
}

function rule(indent: string, r: Rule): string {
  const inner = `${indent}  `;
  const head =
    r.kind === "record"
      ? `${indent}- record: ${yamlScalar(r.record)}\n`
      : `${indent}- alert: ${yamlScalar(r.alert)}\n`;
  let out = head + field(inner, "expr", r.expr);
  if (r.kind === "alert" && r.for !== undefined) out += field(inner, "for", r.for);
  out += map(inner, "labels", r.labels);
  if (r.kind === "alert") out += map(inner, "annotations", r.annotations);
  return out;
}

/** The `groups:` list at `indent` (no trailing key), each group with its rules. */
export function ruleGroupsYaml(groups: readonly RuleGroup[], indent = ""): string {
  let out = `${indent}groups:\n`;
  const g1 = `${indent}  `;
  for (const g of groups) {
    out += `${g1}- name: ${yamlScalar(g.name)}\n`;
    if (g.interval !== undefined) out += `${g1}  interval: ${yamlScalar(g.interval)}\n`;
    out += `${g1}  rules:\n`;
    for (const r of g.rules) out += rule(`${g1}    `, r);
  }
  return out;
}
