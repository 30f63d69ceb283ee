/**
 * @module config/cron-expression
 * Checks a `baseline.schedule` cron expression when the configuration is read, with the
 * grammar node-cron (which runs the schedule) accepts: 5 fields (minute hour day-of-month
 * month weekday) or 6 (seconds first); `*`, `*\/n`, `a`, `a-b`, `a-b/n` and lists of them;
 * month and weekday names (`jan`, `monday`); `?` for a whole day-of-month or weekday field;
 * `L`, `L-n`, `nW`, `LW` in day-of-month and `nL`, `n#k` in weekday; `@daily`-style
 * nicknames. node-cron itself is not imported here: its module starts child processes and
 * keeps a task registry, and this folder is pure. `cron-expression.test.ts` checks the two
 * agree. Pure.
 */

const NICKNAMES: Readonly<Record<string, string>> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const MONTHS_LONG = [
  "january",
  "february",
  "march",
  "april",
  "may",
  "june",
  "july",
  "august",
  "september",
  "october",
  "november",
  "december",
];
const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const WEEKDAYS_LONG = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];

interface FieldSpec {
  readonly label: string;
  readonly min: number;
  readonly max: number;
  /** Names and the value each stands for (months and weekdays). */
  readonly names?: ReadonlyMap<string, number>;
  readonly kind?: "dayOfMonth" | "weekday";
}

const namesOf = (lists: readonly (readonly string[])[], first: number): ReadonlyMap<string, number> =>
  new Map(lists.flatMap((l) => l.map((n, i): [string, number] => [n, i + first])));

const FIELDS: readonly FieldSpec[] = [
  { label: "second", min: 0, max: 59 },
  { label: "minute", min: 0, max: 59 },
  { label: "hour", min: 0, max: 23 },
  { label: "day of month", min: 1, max: 31, kind: "dayOfMonth" },
  { label: "month", min: 1, max: 12, names: namesOf([MONTHS, MONTHS_LONG], 1) },
  { label: "weekday", min: 0, max: 7, names: namesOf([WEEKDAYS, WEEKDAYS_LONG], 0), kind: "weekday" },
];

const MAX_DAYS_IN_MONTH = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Why `expression` is not a cron expression node-cron runs; undefined when it is one. */
export function cronExpressionProblem(expression: string): string | undefined {
  const resolved = NICKNAMES[expression.trim().toLowerCase()] ?? expression;
  if (!/^[A-Za-z0-9*/,#?\- ]+$/.test(resolved)) {
    return "a cron expression holds only digits, names, spaces and * / , - # ?";
  }
  const given = resolved.trim().split(/ +/);
  if (given.length !== 5 && given.length !== 6) {
    return `a cron expression has 5 fields (minute hour day-of-month month weekday) or 6 (seconds first), not ${given.length}`;
  }
  const fields = given.length === 5 ? ["0", ...given] : given;
  const values: (ReadonlySet<number> | undefined)[] = [];
  for (const [i, spec] of FIELDS.entries()) {
    const field = fields[i] ?? "";
    const read = readField(field, spec);
    if (typeof read === "string") return `${JSON.stringify(field)} is not a valid ${spec.label}: ${read}`;
    values.push(read);
  }
  const [days, months] = [values[3], values[4]];
  if (days !== undefined && months !== undefined) {
    const possible = [...months].some((m) => [...days].some((d) => d <= (MAX_DAYS_IN_MONTH[m] ?? 31)));
    if (!possible) return `day of month ${fields[3]} never occurs in month ${fields[4]}`;
  }
  return undefined;
}

/**
 * The values a field selects, undefined when it uses day tokens (`L`, `15W`, `5#2`) whose
 * days depend on the month, or a problem.
 */
function readField(field: string, spec: FieldSpec): ReadonlySet<number> | undefined | string {
  if (field === "?" && spec.kind !== undefined) return new Set(range(spec.min, spec.max, 1, spec));
  const out = new Set<number>();
  let dayTokens = false;
  for (const item of field.split(",")) {
    if (spec.kind === "dayOfMonth" && isDayOfMonthToken(item)) {
      dayTokens = true;
      continue;
    }
    if (spec.kind === "weekday" && isWeekdayToken(item, spec)) {
      dayTokens = true;
      continue;
    }
    const m = /^(?:(\*)|([^-/]+)(?:-([^-/]+))?)(?:\/(\d+))?$/.exec(item);
    if (m === null)
      return `${JSON.stringify(item)} is not *, a value, a range a-b, or one of them with /step`;
    const [, star, fromText, toText, stepText] = m;
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!(step >= 1)) return "the step after / must be at least 1";
    if (star !== undefined) {
      for (const v of range(spec.min, spec.max, step, spec)) out.add(v);
      continue;
    }
    if (stepText !== undefined && toText === undefined)
      return "a step needs * or a range before it (*/15, 0-30/5)";
    const from = valueOf(fromText ?? "", spec);
    if (typeof from === "string") return from;
    const to = toText === undefined ? from : valueOf(toText, spec);
    if (typeof to === "string") return to;
    // As node-cron does, a range is judged by the values it selects, not by its ends.
    for (const v of range(from, to, step, spec)) {
      if (v >= spec.min && v <= spec.max) out.add(v);
      else if (toText === undefined) return `${v} is outside ${spec.min}-${spec.max}`;
      else return `the range ${item} reaches ${v}, outside ${spec.min}-${spec.max}`;
    }
  }
  return dayTokens ? undefined : out;
}

/** `from` to `to` by `step`, wrapping past the field's maximum when `from > to` (`22-2` hours). */
function range(from: number, to: number, step: number, spec: FieldSpec): number[] {
  const top = spec.kind === "weekday" ? 6 : spec.max;
  const size = top - spec.min + 1;
  const span = from <= to ? to - from : (((to - from) % size) + size) % size;
  const out: number[] = [];
  for (let offset = 0; offset <= span; offset += step) {
    const v = from + offset;
    out.push(from <= to || v <= top ? v : v - size);
  }
  return out;
}

function valueOf(text: string, spec: FieldSpec): number | string {
  const named = spec.names?.get(text.toLowerCase());
  if (named !== undefined) return named;
  if (!/^\d+$/.test(text)) {
    return spec.names === undefined
      ? `${JSON.stringify(text)} is not a number`
      : `${JSON.stringify(text)} is neither a number nor a ${spec.label} name`;
  }
  return Number(text);
}

/** `L` (last day), `L-n` (n days before it), `nW` (nearest weekday), `LW` (last weekday). */
function isDayOfMonthToken(item: string): boolean {
  if (/^L$/i.test(item) || /^LW$/i.test(item)) return true;
  const before = /^L-(\d{1,2})$/i.exec(item);
  if (before !== null) return Number(before[1]) >= 1 && Number(before[1]) <= 30;
  const weekday = /^(\d{1,2})W$/i.exec(item);
  return weekday !== null && Number(weekday[1]) >= 1 && Number(weekday[1]) <= 31;
}

/** `nL` (last such weekday of the month) and `n#k` (its k-th, 1-5); n a digit 0-7 or a name. */
function isWeekdayToken(item: string, spec: FieldSpec): boolean {
  const m = /^([a-z]+|\d)(?:L|#[1-5])$/i.exec(item);
  if (m === null) return false;
  const day = spec.names?.get((m[1] ?? "").toLowerCase()) ?? (/^[0-7]$/.test(m[1] ?? "") ? 0 : undefined);
  return day !== undefined;
}
