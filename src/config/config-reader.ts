/**
 * @module config/config-reader
 * Reads typed settings of the service configuration from its YAML document (through the SLO
 * files' `FieldReader`, so every problem has its `file:line:col` and YAML path) or, when the
 * setting has an environment variable that is set, from the environment (the problem then
 * names the variable). Every reader records a problem and returns the fallback instead of
 * stopping, so one read reports everything. Pure.
 */
import { describe as describeValue, FieldReader } from "../slo/field-reader.ts";
import { formatYamlPath, type Problem, type YamlPath } from "../slo/problem.ts";
import type { YamlDocument } from "../slo/yaml-source.ts";
import { DURATION_GRAMMAR, parseConfigDuration } from "./config-duration.ts";

/** Environment variables as the process has them. */
export type ConfigEnv = Readonly<Record<string, string | undefined>>;

/** One setting's raw value and how to report a problem with it. */
interface RawSetting {
  readonly value: unknown;
  /** Records a problem at the value (its file position, or its environment variable). */
  readonly problem: (message: string, hint: string) => void;
}

/** Bounds of a duration setting, in seconds. */
export interface DurationBounds {
  /** Smallest value accepted. */
  readonly min: number;
  /** When true, `min` itself is refused (durations that must be positive). */
  readonly exclusive?: boolean;
  /** An empty string means "use the default" (settings that environment variables also set). */
  readonly emptyIsDefault?: boolean;
}

/** Reads settings from one document and the environment, collecting problems. */
export class ConfigReader {
  readonly fields: FieldReader;
  private readonly env: ConfigEnv;
  private readonly envLabel: (name: string) => string;

  constructor(
    doc: YamlDocument,
    problems: Problem[],
    env: ConfigEnv = {},
    envLabel: (name: string) => string = (name) => `$${name}`,
  ) {
    this.fields = new FieldReader(doc, problems);
    this.env = env;
    this.envLabel = envLabel;
  }

  /** Records a problem at `path` of the file. */
  report(path: YamlPath, message: string, hint: string, onKey = false): void {
    this.fields.report(path, message, hint, { code: "CONFIG_INVALID", onKey });
  }

  /** True when the environment sets `envVar` (so it overrides the file). */
  setByEnv(envVar: string): boolean {
    return this.env[envVar] !== undefined;
  }

  /**
   * Records a problem with a setting's value: naming `envVar` when the environment set it,
   * at `path` of the file otherwise.
   */
  reportSetting(path: YamlPath, envVar: string | undefined, message: string, hint: string): void {
    const s = envVar !== undefined && this.setByEnv(envVar) ? this.raw(path, envVar) : undefined;
    if (s !== undefined) s.problem(message, hint);
    else this.report(path, message, hint);
  }

  /** The raw value of a setting: the environment variable's when set, else the file's; undefined when neither. */
  private raw(path: YamlPath, envVar?: string): RawSetting | undefined {
    const fromEnv = envVar === undefined ? undefined : this.env[envVar];
    if (envVar !== undefined && fromEnv !== undefined) {
      return {
        value: fromEnv,
        problem: (message, hint) =>
          this.fields.problems.push({
            file: this.envLabel(envVar),
            line: 0,
            col: 0,
            path: formatYamlPath(path),
            code: "CONFIG_INVALID",
            message,
            hint,
            severity: "error",
          }),
      };
    }
    const value = this.fields.get(path);
    if (value === undefined || value === null) return undefined;
    return { value, problem: (message, hint) => this.report(path, message, hint) };
  }

  /** A string setting. */
  string(path: YamlPath, fallback: string, envVar?: string): string {
    const s = this.raw(path, envVar);
    if (s === undefined) return fallback;
    if (typeof s.value === "string") return s.value;
    s.problem(`expected a string, got ${describeValue(s.value)}`, `quote the value of ${name(path)}`);
    return fallback;
  }

  /** A non-empty string setting, or undefined when absent. */
  optionalText(path: YamlPath): string | undefined {
    const s = this.raw(path);
    if (s === undefined) return undefined;
    if (typeof s.value === "string" && s.value.trim() !== "") return s.value;
    s.problem(
      typeof s.value === "string"
        ? `${name(path)} is empty`
        : `expected a string, got ${describeValue(s.value)}`,
      `give ${name(path)} a text value, or leave it out`,
    );
    return undefined;
  }

  /** One of `allowed` (text). */
  oneOf<T extends string>(path: YamlPath, allowed: readonly T[], fallback: T, envVar?: string): T {
    const s = this.raw(path, envVar);
    if (s === undefined) return fallback;
    if (typeof s.value === "string" && (allowed as readonly string[]).includes(s.value)) return s.value as T;
    s.problem(
      `expected one of ${allowed.join(", ")}, got ${describeValue(s.value)}`,
      `write one of ${allowed.join(" | ")}`,
    );
    return fallback;
  }

  /** A boolean setting. */
  boolean(path: YamlPath, fallback: boolean): boolean {
    const s = this.raw(path);
    if (s === undefined) return fallback;
    if (typeof s.value === "boolean") return s.value;
    s.problem(`expected true or false, got ${describeValue(s.value)}`, `write ${name(path)}: true or false`);
    return fallback;
  }

  /**
   * An integer in [min, max]. With `numericText`, digits as text count too (what environment
   * variables hold) and an empty string means the default.
   */
  integer(
    path: YamlPath,
    fallback: number,
    min: number,
    max: number,
    envVar?: string,
    numericText = false,
  ): number {
    const s = this.raw(path, envVar);
    if (s === undefined) return fallback;
    let v = s.value;
    if (numericText && typeof v === "string") {
      if (v === "") return fallback;
      if (/^\s*\d+\s*$/.test(v)) v = Number(v);
    }
    if (typeof v === "number" && Number.isInteger(v) && v >= min && v <= max) return v;
    s.problem(
      `expected an integer between ${min} and ${max}, got ${describeValue(s.value)}`,
      `write ${name(path)} as a whole number from ${min} to ${max}`,
    );
    return fallback;
  }

  /** A duration in seconds (see `config-duration.ts`), within `bounds`. */
  duration(path: YamlPath, fallback: number, bounds: DurationBounds, envVar?: string): number {
    const s = this.raw(path, envVar);
    if (s === undefined) return fallback;
    if (bounds.emptyIsDefault === true && s.value === "") return fallback;
    const seconds = parseConfigDuration(s.value);
    if (seconds === undefined) {
      s.problem(`expected a duration, got ${describeValue(s.value)}`, `write ${DURATION_GRAMMAR}`);
      return fallback;
    }
    const tooSmall = bounds.exclusive === true ? seconds <= bounds.min : seconds < bounds.min;
    if (tooSmall) {
      s.problem(
        `${name(path)} must be ${bounds.exclusive === true ? "more than" : "at least"} ${bounds.min}s, got ${describeValue(s.value)}`,
        bounds.exclusive === true && bounds.min === 0
          ? `give ${name(path)} a positive duration such as 30s`
          : `give ${name(path)} a duration of at least ${bounds.min}s`,
      );
      return fallback;
    }
    return seconds;
  }

  /** A list of strings; a string is read as a comma-separated list (environment variables). */
  stringList(path: YamlPath, fallback: readonly string[], envVar?: string): readonly string[] {
    const s = this.raw(path, envVar);
    if (s === undefined) return fallback;
    if (typeof s.value === "string") {
      return s.value
        .split(",")
        .map((x) => x.trim())
        .filter((x) => x !== "");
    }
    if (!Array.isArray(s.value)) {
      s.problem(
        `expected a list of strings, got ${describeValue(s.value)}`,
        `write ${name(path)} as a list [a, b] or as comma-separated text a,b`,
      );
      return fallback;
    }
    const out: string[] = [];
    s.value.forEach((item: unknown, i) => {
      if (typeof item === "string" && item.trim() !== "") out.push(item);
      else
        this.report(
          [...path, i],
          typeof item === "string" ? "empty entry" : `expected a string, got ${describeValue(item)}`,
          `every entry of ${name(path)} is a non-empty text`,
        );
    });
    return out;
  }

  /** An absolute http(s) URL, trailing slashes removed; `""` only when `allowEmpty`. */
  httpUrl(path: YamlPath, fallback: string, envVar?: string, allowEmpty = false): string {
    const s = this.raw(path, envVar);
    if (s === undefined) return fallback;
    const checked = checkHttpUrl(s.value, allowEmpty);
    if (typeof checked === "string") return checked.replace(/\/+$/, "");
    s.problem(checked.message, checked.hint);
    return fallback;
  }

  /** An absolute http(s) URL kept as written, or undefined (reported) when it is not one. */
  httpUrlAsWritten(path: YamlPath): string | undefined {
    const s = this.raw(path);
    const checked = checkHttpUrl(s?.value, false);
    if (typeof checked === "string") return checked;
    if (s === undefined) this.fields.missing(path, checked.hint);
    else s.problem(checked.message, checked.hint);
    return undefined;
  }
}

function checkHttpUrl(v: unknown, allowEmpty: boolean): string | { message: string; hint: string } {
  const hint = "write an absolute URL such as http://prometheus:9090";
  if (typeof v !== "string") return { message: `expected an http(s) URL, got ${describeValue(v)}`, hint };
  if (v === "") return allowEmpty ? v : { message: "the URL is empty", hint };
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    return { message: `not an absolute URL: ${JSON.stringify(v)}`, hint };
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") {
    return { message: `expected an http or https URL, not ${u.protocol}`, hint };
  }
  return v;
}

function name(path: YamlPath): string {
  return formatYamlPath(path) || "the setting";
}

/** A document over plain data (no file text): every position is unknown (line 0). */
export function plainDocument(value: unknown, file: string): YamlDocument {
  const nowhere = { line: 0, col: 0 };
  return { file, index: 0, value, position: () => nowhere, positionInScalar: () => nowhere };
}
