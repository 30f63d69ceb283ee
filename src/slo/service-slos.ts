/**
 * @module slo/service-slos
 * The part every single-service format shares: parse each entry of the `slos` list, refuse
 * duplicate names, and assemble the service. Pure.
 */
import type { FieldReader } from "./field-reader.ts";
import type { ServiceSlos, Slo, SloFormat } from "./model.ts";
import type { YamlPath } from "./problem.ts";

/** What `collectServiceSlos` needs from the format's own parser. */
export interface ServiceParts {
  /** Path of the `slos` list. */
  readonly slosPath: YamlPath;
  readonly list: readonly unknown[] | undefined;
  readonly service: string | undefined;
  readonly labels: Readonly<Record<string, string>>;
  /** False when the service level had errors: then no SLO of it is served. */
  readonly serviceOk: boolean;
  readonly format: SloFormat;
  /** Parses the SLO at `path`; problems go to the reader. */
  readonly parseSlo: (path: YamlPath) => Slo | undefined;
}

/**
 * Parses every SLO of a service. An SLO with errors, or whose name repeats an earlier one,
 * is refused (reported, not served); the others are kept. Undefined when the service has no
 * name.
 */
export function collectServiceSlos(r: FieldReader, parts: ServiceParts): ServiceSlos | undefined {
  const slos: Slo[] = [];
  const seen = new Map<string, number>();
  (parts.list ?? []).forEach((_, i) => {
    const path = [...parts.slosPath, i];
    const before = r.errorCount();
    const slo = parts.parseSlo(path);
    if (slo === undefined || r.errorCount() > before) return;
    const first = seen.get(slo.name);
    if (first !== undefined) {
      r.report(
        [...path, "name"],
        `duplicate SLO name ${JSON.stringify(slo.name)} (also slos[${first}])`,
        "give every SLO of a service a different name",
      );
      return;
    }
    seen.set(slo.name, i);
    slos.push(slo);
  });
  if (parts.service === undefined) return undefined;
  const pos = r.doc.position([]);
  return {
    service: parts.service,
    labels: parts.labels,
    slos: parts.serviceOk ? slos : [],
    source: { file: r.doc.file, format: parts.format, line: pos.line, col: pos.col },
  };
}
