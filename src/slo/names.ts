/**
 * @module slo/names
 * Checks on service and SLO names: they become label values and parts of rule and alert
 * names, so they are kept to a safe alphabet. Pure.
 */
import type { FieldReader } from "./field-reader.ts";
import type { YamlPath } from "./problem.ts";

const NAME = /^[a-zA-Z0-9]([a-zA-Z0-9_.-]{0,126}[a-zA-Z0-9])?$/;

/** True when `name` is usable as a service or SLO name. */
export function isValidSloName(name: string): boolean {
  return NAME.test(name);
}

/** Reads a required name field, reporting a bad one. */
export function readName(r: FieldReader, path: YamlPath, what: string): string | undefined {
  const name = r.string(path, true, true);
  if (name === undefined) return undefined;
  if (!isValidSloName(name)) {
    r.report(
      path,
      `invalid ${what} name ${JSON.stringify(name)}`,
      "use letters, digits, '-', '_' and '.', starting and ending with a letter or digit (at most 128 characters)",
    );
    return undefined;
  }
  return name;
}
