/**
 * @module catalog/data-source-check
 * OpenSLO `metricSourceRef`s resolve to DataSource objects (`slo.dataSource`), and the service
 * reads each such SLO from its DataSource's backend (`main/backend-router`). `noteDataSources`
 * wraps an SLO loader so that every SLO with a DataSource says which backend it is read from
 * (a note on the SLO, in place of the parser's, and an info log line), and an SLO whose
 * backend cannot be used (bad headers, TLS settings on an http URL, a credential file that
 * cannot be read) is not served: it is an error at the SLO, as any other invalid SLO.
 */
import { isSlogateError } from "../errors.ts";
import type { Logger } from "../domain/verdict-event.ts";
import type { Slo } from "../slo/model.ts";
import { dataSourceNote } from "../slo/parse-openslo.ts";
import type { Problem } from "../slo/problem.ts";
import type { LoadSlos } from "./slo-catalog.ts";

/**
 * Which backend `slo` is read from, in words (never a header value); throws a SlogateError
 * when its backend cannot be used.
 */
export type DescribeBackend = (slo: Slo) => string;

/** `slo` with `note` in place of the parser's DataSource note. */
function withNote(slo: Slo, note: string): Slo {
  const parsed = slo.dataSource === undefined ? undefined : dataSourceNote(slo.dataSource);
  const notes = (slo.notes ?? []).filter((n) => n !== parsed);
  return { ...slo, notes: [...notes, note] };
}

/** `load` with each DataSource SLO's backend resolved, noted and logged; see the module comment. */
export function noteDataSources(load: LoadSlos, describe: DescribeBackend, logger: Logger): LoadSlos {
  return async (paths) => {
    const r = await load(paths);
    if (!r.slos.some((s) => s.dataSource !== undefined)) return r;
    const slos: Slo[] = [];
    const extra: Problem[] = [];
    for (const slo of r.slos) {
      if (slo.dataSource === undefined) {
        slos.push(slo);
        continue;
      }
      try {
        const note = describe(slo);
        slos.push(withNote(slo, note));
        logger.info(`SLO ${slo.id}: ${note}`, { slo: slo.id, file: slo.source.file });
      } catch (e) {
        const problem: Problem = {
          file: slo.source.file,
          line: slo.source.line ?? 0,
          col: slo.source.col ?? 0,
          path: "",
          code: "SLO_INVALID",
          message: isSlogateError(e) ? e.message : `SLO ${slo.id}: its DataSource's backend cannot be used`,
          hint: isSlogateError(e) ? e.hint : "check the DataSource and backends in the service config",
          severity: "error",
        };
        extra.push(problem);
        logger.error(problem.message, { slo: slo.id, file: problem.file, line: problem.line });
      }
    }
    return { slos, problems: [...r.problems, ...extra] };
  };
}
