/**
 * @module catalog/data-source-check
 * OpenSLO `metricSourceRef`s resolve to DataSource objects (`slo.dataSource`), but slogate
 * queries the one metrics backend configured for the service. `checkDataSources` wraps an SLO
 * loader so that every SLO whose DataSource names another URL comes with a warning at the SLO
 * (in the catalog's status and the log), instead of its DataSource being silently ignored.
 */
import type { Logger } from "../domain/verdict-event.ts";
import type { Slo } from "../slo/model.ts";
import type { Problem } from "../slo/problem.ts";
import type { LoadSlos } from "./slo-catalog.ts";

/** A URL compared without its trailing slashes and case-insensitively in scheme and host. */
function normalise(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, "")}`;
  } catch {
    return url.replace(/\/+$/, "");
  }
}

/** The warnings for SLOs whose DataSource URL is not `backendUrl`. */
export function dataSourceProblems(slos: readonly Slo[], backendUrl: string): Problem[] {
  const backend = normalise(backendUrl);
  return slos.flatMap((slo) => {
    const ds = slo.dataSource;
    if (ds?.url === undefined || normalise(ds.url) === backend) return [];
    return [
      {
        file: slo.source.file,
        line: slo.source.line ?? 0,
        col: slo.source.col ?? 0,
        path: "",
        code: "SLO_UNSUPPORTED",
        message: `SLO ${slo.id}: DataSource ${JSON.stringify(ds.name)} URL ${ds.url} differs from the service backend ${backendUrl}; slogate queries the configured backend`,
        hint: "point prometheus.url at the DataSource's backend (one slogate per backend), or make the DataSource name the backend slogate queries",
        severity: "warning",
      } satisfies Problem,
    ];
  });
}

/** `load` with a warning for each SLO whose DataSource is not the configured backend, also logged. */
export function checkDataSources(load: LoadSlos, backendUrl: string, logger: Logger): LoadSlos {
  return async (paths) => {
    const r = await load(paths);
    const extra = dataSourceProblems(r.slos, backendUrl);
    for (const p of extra) logger.warn(p.message, { file: p.file, line: p.line });
    return extra.length === 0 ? r : { ...r, problems: [...r.problems, ...extra] };
  };
}
