/**
 * @module slo/openslo-source
 * The `metricSource` of an OpenSLO v1 SLI part, read as slogate evaluates it:
 * - `metricSourceRef` resolved to a `DataSource` object of the files read together (its
 *   `spec.type` stands in for a missing `type`; `spec.connectionDetails` — a mapping or, as the
 *   spec's own example writes it, a list of one-key mappings — gives `url` and `headers`); an
 *   unresolved reference is a located error;
 * - `spec.query` in PromQL; other keys under `spec` are schema-valid and warned as unused;
 * - the query made windowed (`windowOpensloQuery`): fixed ranges (`rate(x[5m])`) rewritten to
 *   `[{{.window}}]` with a located warning; instant queries of counters (`counter: true`,
 *   `sum(http_requests{…})`) wrapped as `sum(rate(x[{{.window}}]))`, the raw-counter form
 *   the Prometheus reader counts exactly; instant gauge queries (`counter: false`, a `raw`
 *   stored ratio) wrapped as `avg_over_time(x[{{.window}}])`. Each rewrite is a note on the SLO.
 * Pure.
 */
import { parseQueryTemplate } from "../promql/placeholders.ts";
import type { QueryTemplate } from "../promql/query-template.ts";
import { hasRangeSelection, rewriteFixedRanges, wrapInstantSelectors } from "../promql/window-rewrite.ts";
import type { FieldReader } from "./field-reader.ts";
import type { DataSourceRef } from "./model.ts";
import type { YamlPath } from "./problem.ts";
import { readQuery } from "./query-field.ts";

/** One OpenSLO object: the reader of its document and its path there (`[]` or `[i]`). */
export interface OpensloObject {
  readonly r: FieldReader;
  readonly path: YamlPath;
}

/** A metric source read: the query (as written), where it is, and its resolved DataSource. */
export interface MetricSource {
  readonly query: QueryTemplate;
  readonly queryPath: YamlPath;
  readonly dataSource?: DataSourceRef;
}

/** How a query's values are to be read, which decides how an instant query is windowed. */
export type QueryUse = "counter" | "gauge" | "unknown-counter" | "raw-ratio";

/** Reads `{metricSource: {metricSourceRef?, type?, spec: {query, …}}}` at `path`. */
export function readMetricSource(
  r: FieldReader,
  path: YamlPath,
  what: string,
  dataSources: ReadonlyMap<string, OpensloObject>,
): MetricSource | undefined {
  if (r.map(path, true) === undefined) return undefined;
  r.onlyKeys(path, ["metricSource"], what);
  const mp = [...path, "metricSource"];
  if (r.map(mp, true) === undefined) return undefined;
  r.onlyKeys(mp, ["metricSourceRef", "type", "spec"], "metricSource");
  const written = r.string([...mp, "type"]);
  // A source of another kind is refused as such, whether or not its DataSource was read.
  if (written !== undefined && !isPrometheus(written)) return unsupported(r, [...mp, "type"], written);
  const refName = r.string([...mp, "metricSourceRef"]);
  let dataSource: DataSourceRef | undefined;
  if (refName !== undefined) {
    const target = dataSources.get(refName);
    if (target === undefined) {
      r.report(
        [...mp, "metricSourceRef"],
        `metricSourceRef ${JSON.stringify(refName)} names no DataSource in the files read`,
        `pass the file that defines kind: DataSource with metadata.name: ${refName} too, or remove metricSourceRef and give type: Prometheus`,
      );
      return undefined;
    }
    dataSource = readDataSource(target, refName);
    if (dataSource === undefined) return undefined;
    if (!isPrometheus(dataSource.type)) {
      if (written === undefined) return unsupported(r, [...mp, "metricSourceRef"], dataSource.type);
      r.report(
        [...mp, "type"],
        `metricSource type ${JSON.stringify(written)} differs from the type ${JSON.stringify(dataSource.type)} of DataSource ${JSON.stringify(dataSource.name)}`,
        "give the same type in both, or leave type out to take the DataSource's",
      );
      return undefined;
    }
  } else if (written === undefined) {
    r.missing([...mp, "type"], "add type: Prometheus");
    return undefined;
  }
  const sp = [...mp, "spec"];
  const spec = r.map(sp, true);
  if (spec === undefined) return undefined;
  for (const key of Object.keys(spec)) {
    if (key === "query") continue;
    r.report(
      [...sp, key],
      `metricSource.spec.${key} is not used: a Prometheus source needs only spec.query`,
      "remove it, or keep it for other tools reading the same file",
      { severity: "warning", onKey: true },
    );
  }
  const queryPath = [...sp, "query"];
  const query = readQuery(r, queryPath, { requireWindow: false });
  if (query === undefined) return undefined;
  return { query, queryPath, ...(dataSource === undefined ? {} : { dataSource }) };
}

function isPrometheus(type: string): boolean {
  return type.toLowerCase() === "prometheus";
}

function unsupported(r: FieldReader, path: YamlPath, type: string): undefined {
  r.report(
    path,
    `metricSource type ${JSON.stringify(type)} is not supported: slogate reads Prometheus only`,
    "use a Prometheus metric source with spec.query in PromQL",
    { code: "SLO_UNSUPPORTED" },
  );
  return undefined;
}

/** Reads a DataSource object as a Prometheus connection: type, url, headers. */
function readDataSource(o: OpensloObject, name: string): DataSourceRef | undefined {
  const { r, path } = o;
  const sp = [...path, "spec"];
  if (r.map(sp, true) === undefined) return undefined;
  r.onlyKeys(sp, ["description", "type", "connectionDetails"], "a DataSource spec");
  const type = r.string([...sp, "type"], true);
  if (type === undefined) return undefined;
  if (!isPrometheus(type)) {
    // Not an error of the DataSource itself (other tools read it): the referring source reports.
    return { name, type, headers: {} };
  }
  const cp = [...sp, "connectionDetails"];
  const raw = r.get(cp);
  // The schema says a mapping; the spec's own example writes a list of one-key mappings.
  const entries: { key: string; path: YamlPath }[] = [];
  if (Array.isArray(raw)) {
    raw.forEach((item, i) => {
      if (r.map([...cp, i]) === undefined) return;
      for (const k of Object.keys(item as object)) entries.push({ key: k, path: [...cp, i, k] });
    });
  } else if (r.map(cp, true) !== undefined) {
    for (const k of Object.keys(raw as object)) entries.push({ key: k, path: [...cp, k] });
  } else return undefined;
  let url: string | undefined;
  const headers: Record<string, string> = {};
  for (const e of entries) {
    if (e.key === "url") {
      url = r.nonEmptyString(e.path, true);
      if (url !== undefined && !/^https?:\/\/[^\s/]+/.test(url)) {
        r.report(
          e.path,
          `url ${JSON.stringify(url)} is not an http(s) URL`,
          "e.g. url: http://prometheus:9090",
        );
        return undefined;
      }
    } else if (e.key === "headers") {
      const m = r.map(e.path);
      for (const [k, v] of Object.entries(m ?? {})) {
        const value = r.string([...e.path, k], true, true);
        if (value !== undefined) headers[k] = value;
        else if (v !== undefined) return undefined;
      }
    } else {
      r.report(
        e.path,
        `connectionDetails.${e.key} is not used: slogate reads url and headers of a Prometheus DataSource`,
        "give credentials as headers (e.g. Authorization), or configure them on the slogate service",
        { severity: "warning", onKey: true },
      );
    }
  }
  return { name, type, ...(url === undefined ? {} : { url }), headers };
}

/** A query made windowed, with what was done to it for the SLO's notes. */
export interface WindowedQuery {
  readonly query: QueryTemplate;
  readonly notes: readonly string[];
}

/**
 * Makes `t` (read at `path`) evaluable over any window. A template with `{{.window}}` is kept;
 * fixed ranges are rewritten (warning at each range); an instant query is wrapped by `use`.
 */
export function windowOpensloQuery(
  r: FieldReader,
  path: YamlPath,
  t: QueryTemplate,
  use: QueryUse,
): WindowedQuery | undefined {
  if (t.hasWindow) return { query: t, notes: [] };
  if (hasRangeSelection(t.text)) {
    const { text, rewrites } = rewriteFixedRanges(t.text);
    const notes: string[] = [];
    for (const rw of rewrites) {
      const at = r.doc.positionInScalar(path, rw.offset);
      const message = `the fixed range [${rw.was}] is rewritten to [{{.window}}]`;
      r.report(
        path,
        message,
        "write [{{.window}}] to say it: slogate evaluates the query over the window it needs (each canary step, each alert window, the SLO period)",
        { severity: "warning", at },
      );
      notes.push(`${r.doc.file}:${at.line}:${at.col}: ${message}`);
    }
    return { query: parseQueryTemplate(text), notes };
  }
  if (use === "unknown-counter") {
    r.report(
      path,
      "query has no range and ratioMetric has no counter field",
      "set ratioMetric.counter: true when the queries return counters (slogate reads their rate over each window) or counter: false for gauges (judged per step); or write rate(x[{{.window}}])",
      { code: "PROMQL_INVALID" },
    );
    return undefined;
  }
  const fn = use === "counter" ? "rate" : "avg_over_time";
  const w = wrapInstantSelectors(t.text, fn);
  if (!w.ok) {
    const what = use === "counter" ? "a counter query (counter: true)" : "a gauge query";
    r.report(
      path,
      `${what} without a range must combine its series with sum, + and -; found ${w.message}`,
      use === "counter"
        ? "write the rate yourself, e.g. sum(rate(x[{{.window}}])), or simplify the query to sums of counters"
        : "write the window yourself, e.g. avg_over_time(x[{{.window}}]), or simplify the query to sums of gauges",
      { code: "PROMQL_INVALID", at: r.doc.positionInScalar(path, w.offset) },
    );
    return undefined;
  }
  const pos = r.doc.position(path);
  const how =
    use === "counter"
      ? "read as the rate of each counter over the window"
      : "read as the average of each gauge over the window";
  return {
    query: parseQueryTemplate(w.text),
    notes: [
      `${r.doc.file}:${pos.line}:${pos.col}: ${JSON.stringify(t.text)} is ${how}: ${JSON.stringify(w.text)}`,
    ],
  };
}
