/**
 * @module app/analysis-queries
 * Read-side use cases behind the links in every verdict: analyses with their looks, events
 * and pinned baseline; baselines; the SLOs served with the last load's status. Every record
 * handed out carries its link; judge state (internal) is left out of listings.
 */
import { SlogateError } from "../errors.ts";
import type { AnalysisRecord, BaselineRecord, EventRecord, LookRecord } from "./store-port.ts";
import type { GateDeps } from "./deps.ts";

/** What the read side needs. */
export type AnalysisQueryDeps = Pick<GateDeps, "store" | "catalog" | "link">;

function notFound(what: "analysis" | "baseline", id: string): SlogateError {
  return new SlogateError("NOT_FOUND", `${what} ${JSON.stringify(id.slice(0, 200))} not found`, {
    hint: `list them with GET /api/v1/${what === "analysis" ? "analyses" : "baselines"}`,
  });
}

/** Analyses, newest first, optionally only open/closed ones or one SLO's (id or unique name). */
export async function listAnalyses(
  deps: AnalysisQueryDeps,
  q: { readonly status?: "open" | "closed"; readonly slo?: string; readonly limit: number },
): Promise<(Omit<AnalysisRecord, "judgeState"> & { link: string })[]> {
  const analyses = await deps.store.listAnalyses({
    ...(q.status === undefined ? {} : { status: q.status }),
    ...(q.slo === undefined ? {} : { sloId: deps.catalog.get(q.slo).id }),
    limit: q.limit,
  });
  return analyses.map((a) => ({ ...a, judgeState: undefined, link: deps.link(a.id) }));
}

/** One analysis with its looks, pinned baseline and events; NOT_FOUND when unknown. */
export async function getAnalysisDetail(
  deps: AnalysisQueryDeps,
  id: string,
): Promise<{
  analysis: AnalysisRecord & { link: string };
  looks: LookRecord[];
  baseline: BaselineRecord | null;
  events: EventRecord[];
}> {
  const a = await deps.store.getAnalysis(id);
  if (a === undefined) throw notFound("analysis", id);
  const [baseline, looks, events] = await Promise.all([
    a.baselineId === undefined ? undefined : deps.store.getBaseline(a.baselineId),
    deps.store.listLooks(id),
    deps.store.listEvents({ analysisId: id, limit: 200 }),
  ]);
  return { analysis: { ...a, link: deps.link(a.id) }, looks, baseline: baseline ?? null, events };
}

/** Baselines, newest first, optionally of one SLO (id or unique name). */
export function listBaselines(
  deps: AnalysisQueryDeps,
  q: { readonly slo?: string; readonly limit: number },
): Promise<BaselineRecord[]> {
  return deps.store.listBaselines({
    ...(q.slo === undefined ? {} : { sloId: deps.catalog.get(q.slo).id }),
    limit: q.limit,
  });
}

/** One baseline; NOT_FOUND when unknown. */
export async function getBaseline(deps: AnalysisQueryDeps, id: string): Promise<BaselineRecord> {
  const b = await deps.store.getBaseline(id);
  if (b === undefined) throw notFound("baseline", id);
  return b;
}

/** The SLOs served, with the last load's status. */
/** `url` without a user name or password (a DataSource URL may carry them). */
function withoutUserInfo(url: string): string {
  try {
    const u = new URL(url);
    if (u.username === "" && u.password === "") return url;
    u.username = "";
    u.password = "";
    return u.toString();
  } catch {
    return "(not a URL)";
  }
}

export function listServedSlos(deps: AnalysisQueryDeps): {
  status: ReturnType<GateDeps["catalog"]["status"]>;
  slos: Record<string, unknown>[];
} {
  return {
    status: deps.catalog.status(),
    slos: deps.catalog.list().map((s) => ({
      id: s.id,
      service: s.service,
      name: s.name,
      kind: s.kind,
      objectivePercent: s.objectivePercent,
      judge: s.canary.judge,
      source: s.source,
      // The OpenSLO DataSource it is read from: name and URL, never its headers (secrets).
      ...(s.dataSource === undefined
        ? {}
        : {
            dataSource: {
              name: s.dataSource.name,
              ...(s.dataSource.url === undefined ? {} : { url: withoutUserInfo(s.dataSource.url) }),
            },
          }),
      ...(s.notes === undefined || s.notes.length === 0 ? {} : { notes: s.notes }),
    })),
  };
}
