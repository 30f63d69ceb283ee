/**
 * @module prometheus/wire
 * The Prometheus HTTP API's JSON as discriminated unions (`status`, `resultType`), and the
 * checks that turn an untrusted body into them. Works for Prometheus, Thanos Query, Mimir,
 * Cortex and VictoriaMetrics, which all answer this shape. Sample values arrive as strings
 * (`"1.5"`, `"NaN"`, `"+Inf"`) and are parsed to numbers here.
 */

/** `[unix seconds, "value"]` as sent on the wire. */
export type WireSampleValue = readonly [number, string];

export type WireQueryData =
  | {
      readonly resultType: "vector";
      readonly result: readonly { metric: Record<string, string>; value: WireSampleValue }[];
    }
  | {
      readonly resultType: "matrix";
      readonly result: readonly { metric: Record<string, string>; values: readonly WireSampleValue[] }[];
    }
  | { readonly resultType: "scalar"; readonly result: WireSampleValue }
  | { readonly resultType: "string"; readonly result: WireSampleValue };

/** The envelope of every API answer. */
export type WireResponse<T> =
  | { readonly status: "success"; readonly data: T; readonly warnings?: readonly string[] }
  | {
      readonly status: "error";
      readonly errorType: string;
      readonly error: string;
      readonly warnings?: readonly string[];
    };

/** A parsed sample: unix seconds and value. */
export interface Point {
  readonly t: number;
  readonly v: number;
}

/** A query result with numbers, discriminated by `type`. */
export type QueryResult =
  | {
      readonly type: "vector";
      readonly samples: readonly { labels: Record<string, string>; t: number; v: number }[];
    }
  | {
      readonly type: "matrix";
      readonly series: readonly { labels: Record<string, string>; points: readonly Point[] }[];
    }
  | { readonly type: "scalar"; readonly t: number; readonly v: number }
  | { readonly type: "string"; readonly t: number; readonly v: string };

/** Why a body is not what the API promises (a message naming the first problem). */
export class WireShapeError extends Error {
  override readonly name = "WireShapeError";
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/** Parses a sample value string the way Prometheus writes it. */
export function parseSampleValue(s: unknown): number {
  if (typeof s !== "string") throw new WireShapeError(`sample value ${JSON.stringify(s)} is not a string`);
  if (s === "NaN") return NaN;
  if (s === "+Inf" || s === "Inf") return Infinity;
  if (s === "-Inf") return -Infinity;
  const v = Number(s);
  if (s.trim() === "" || Number.isNaN(v))
    throw new WireShapeError(`sample value ${JSON.stringify(s)} is not a number`);
  return v;
}

function point(x: unknown, where: string): Point {
  if (!Array.isArray(x) || x.length !== 2 || typeof x[0] !== "number" || !Number.isFinite(x[0])) {
    throw new WireShapeError(`${where}: expected [time, "value"]`);
  }
  return { t: x[0], v: parseSampleValue(x[1]) };
}

function labels(x: unknown, where: string): Record<string, string> {
  if (!isRecord(x)) throw new WireShapeError(`${where}: metric is not an object`);
  for (const [k, v] of Object.entries(x)) {
    if (typeof v !== "string") throw new WireShapeError(`${where}: label ${k} is not a string`);
  }
  return x as Record<string, string>;
}

/**
 * Checks the envelope. Returns `{ ok: true, data, warnings }` for success and
 * `{ ok: false, errorType, error }` for an API error; throws WireShapeError otherwise.
 */
export function readEnvelope(
  body: unknown,
): { ok: true; data: unknown; warnings: string[] } | { ok: false; errorType: string; error: string } {
  if (!isRecord(body)) throw new WireShapeError("body is not a JSON object");
  const warnings = Array.isArray(body.warnings)
    ? body.warnings.filter((w): w is string => typeof w === "string")
    : [];
  if (body.status === "success") {
    if (!("data" in body)) throw new WireShapeError("success without data");
    return { ok: true, data: body.data, warnings };
  }
  if (body.status === "error") {
    return {
      ok: false,
      errorType: typeof body.errorType === "string" ? body.errorType : "unknown",
      error: typeof body.error === "string" ? body.error : JSON.stringify(body.error ?? null),
    };
  }
  throw new WireShapeError(`status is ${JSON.stringify(body.status)}, expected "success" or "error"`);
}

/** Converts the `data` of a query / query_range answer. */
export function parseQueryData(data: unknown): QueryResult {
  if (!isRecord(data)) throw new WireShapeError("data is not an object");
  const r = data.result;
  switch (data.resultType) {
    case "vector": {
      if (!Array.isArray(r)) throw new WireShapeError("vector result is not an array");
      return {
        type: "vector",
        samples: r.map((s: unknown, i) => {
          if (!isRecord(s)) throw new WireShapeError(`result[${i}] is not an object`);
          const p = point(s.value, `result[${i}].value`);
          return { labels: labels(s.metric, `result[${i}]`), t: p.t, v: p.v };
        }),
      };
    }
    case "matrix": {
      if (!Array.isArray(r)) throw new WireShapeError("matrix result is not an array");
      return {
        type: "matrix",
        series: r.map((s: unknown, i) => {
          if (!isRecord(s)) throw new WireShapeError(`result[${i}] is not an object`);
          const values = s.values ?? [];
          if (!Array.isArray(values)) throw new WireShapeError(`result[${i}].values is not an array`);
          return {
            labels: labels(s.metric, `result[${i}]`),
            points: values.map((v: unknown, j) => point(v, `result[${i}].values[${j}]`)),
          };
        }),
      };
    }
    case "scalar": {
      const p = point(r, "scalar result");
      return { type: "scalar", t: p.t, v: p.v };
    }
    case "string": {
      if (!Array.isArray(r) || r.length !== 2 || typeof r[0] !== "number" || typeof r[1] !== "string") {
        throw new WireShapeError("string result: expected [time, string]");
      }
      return { type: "string", t: r[0], v: r[1] };
    }
    default:
      throw new WireShapeError(`unknown resultType ${JSON.stringify(data.resultType)}`);
  }
}

/** Converts the `data` of `/api/v1/label/<name>/values`. */
export function parseStringList(data: unknown): string[] {
  if (!Array.isArray(data) || !data.every((x) => typeof x === "string")) {
    throw new WireShapeError("data is not an array of strings");
  }
  return data;
}

/** Converts the `data` of `/api/v1/series`. */
export function parseSeriesList(data: unknown): Record<string, string>[] {
  if (!Array.isArray(data)) throw new WireShapeError("data is not an array");
  return data.map((x: unknown, i) => labels(x, `data[${i}]`));
}
