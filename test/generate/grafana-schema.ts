/**
 * @module test/generate/grafana-schema
 * Validates dashboard JSON against the vendored Grafana JSON schemas
 * (`<repo>/../shared/specs/grafana-jsonschema/`, draft-07) with ajv: the dashboard, every
 * panel's options and custom field config, every Prometheus target (and that each target has
 * its own explicit refId).
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Ajv, type ValidateFunction } from "ajv";

const SCHEMAS = resolve(import.meta.dirname, "../../../shared/specs/grafana-jsonschema");

/** The parts of a panel the checks read. */
export interface Panel {
  type: string;
  title?: string;
  targets?: { refId?: string; expr?: string }[];
  options?: unknown;
  fieldConfig?: { defaults?: { custom?: unknown } };
}

/** Compiled validators. */
export interface GrafanaValidators {
  dashboard: ValidateFunction;
  target: ValidateFunction;
  options: Record<string, ValidateFunction>;
  custom: Record<string, ValidateFunction>;
}

/** Compiles the validators from the vendored schemas. */
export function loadValidators(): GrafanaValidators {
  const ajv = new Ajv({ strict: false, allErrors: true, formats: { "date-time": true } });
  const read = (name: string): Record<string, unknown> =>
    JSON.parse(readFileSync(join(SCHEMAS, `${name}.jsonschema.json`), "utf8")) as Record<string, unknown>;
  for (const name of ["dashboard", "prometheus", "timeseries", "stat"]) ajv.addSchema(read(name), name);
  const get = (ref: string): ValidateFunction => {
    const v = ajv.getSchema(ref);
    if (v === undefined) throw new Error(`no schema ${ref}`);
    return v;
  };
  return {
    dashboard: get("dashboard"),
    target: get("prometheus"),
    options: { timeseries: get("timeseries#/definitions/Options"), stat: get("stat#/definitions/Options") },
    custom: { timeseries: get("timeseries#/definitions/FieldConfig") },
  };
}

/** The panels of a dashboard JSON text. */
export function panelsOf(json: string): Panel[] {
  return (JSON.parse(json) as { panels: Panel[] }).panels;
}

/** Every schema problem of a dashboard JSON text, as readable strings (empty when valid). */
export function validateDashboard(v: GrafanaValidators, content: string): string[] {
  const problems: string[] = [];
  const check = (what: string, fn: ValidateFunction | undefined, value: unknown): void => {
    if (fn === undefined) {
      problems.push(`${what}: no schema`);
      return;
    }
    if (!fn(value))
      for (const e of fn.errors ?? []) problems.push(`${what}${e.instancePath} ${e.message ?? ""}`);
  };
  check("dashboard", v.dashboard, JSON.parse(content));
  for (const p of panelsOf(content)) {
    if (p.type === "row") continue;
    const name = `panel "${p.title ?? ""}"`;
    check(`${name} options`, v.options[p.type], p.options);
    if (v.custom[p.type] !== undefined)
      check(`${name} fieldConfig.defaults.custom`, v.custom[p.type], p.fieldConfig?.defaults?.custom ?? {});
    const targets = p.targets ?? [];
    if (targets.length === 0) problems.push(`${name}: no targets`);
    const refIds = targets.map((t) => t.refId);
    if (refIds.some((r) => typeof r !== "string") || new Set(refIds).size !== refIds.length) {
      problems.push(`${name}: targets need distinct explicit refIds, got ${JSON.stringify(refIds)}`);
    }
    for (const t of targets) check(`${name} target ${t.refId ?? "?"}`, v.target, t);
  }
  return problems;
}
