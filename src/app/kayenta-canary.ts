/**
 * @module app/kayenta-canary
 * The use cases behind slogate's Kayenta-compatible API (docs/service.md), which lets an
 * unchanged Argo Rollouts `kayenta` AnalysisTemplate call slogate (argo-rollouts
 * `metricproviders/kayenta/kayenta.go`): list canary configs, start a canary execution, read
 * its status.
 *
 * - **Scopes**: a bare value goes through the SLO's `canary.selection` (or, with the config's
 *   `scopeLabel`, matches that label); label equalities are taken as written; a location
 *   matches `locationLabel` when one is set.
 * - **Canary configs** are the served SLOs: one per service (all its SLOs, id
 *   `service:<service>`, name `<service>`) and one per SLO (id `slo:<slo id>`, name the SLO
 *   id). Argo takes the first entry whose `name` equals its `canaryConfigName`; on a clash
 *   the service's config is listed first.
 * - **An execution** judges every SLO of the config, for every scope of the request, with
 *   slogate's judge over the window `[start, end]`: looks every `step` seconds (at most
 *   `MAX_EXECUTION_LOOKS`, the last one final), stopping at the first fail — the judge's own
 *   sequential rule, run over history as `slogate backtest` does, but into the service's store
 *   (analysis `kayenta:<execution>:<scope>:<slo>`), so each SLO has its analysis page. An
 *   execution whose `end` is still ahead waits (`complete: false`) until the clock reaches it.
 * - **Its score** is the combined verdict on Kayenta's scale for the request's own thresholds
 *   (`judge/kayenta-score`): pass 100, inconclusive and nodata `marginal`, fail 0.
 * - **A backend that cannot answer** ends the execution `complete: true`, `status: terminal`,
 *   with an `exception` and no score: Argo reads that as "Missing Score" — an Error (retried
 *   at the next interval, `consecutiveErrorLimit` aborts) — never a pass, never a fail score.
 *
 * Executions are kept in the store (state namespace `kayenta-executions`) for the analyses'
 * retention (`pruneCanaryExecutions`) and survive restarts: a `running` execution nobody in this process is working on is (re)started by the
 * next status read — its looks already stored are returned as they were (looks are
 * idempotent per analysis and time), so a restart loses nothing and doubles nothing.
 */
import { randomBytes } from "node:crypto";
import { SlogateError, isSlogateError } from "../errors.ts";
import type { Verdict } from "../domain/verdict.ts";
import { kayentaScore, type KayentaThresholds } from "../judge/kayenta-score.ts";
import type { LabelMatcher } from "../promql/matchers.ts";
import type { KayentaScopeArm } from "../promql/kayenta-scope.ts";
import type { JudgeName, Slo } from "../slo/model.ts";
import { analyzeLook, outcomeOf, type LookResult } from "./analyze-look.ts";
import { closeAnalysis } from "./close-analysis.ts";
import type { AnalyzeLookDeps } from "./deps.ts";
import { derivedId } from "./derived-id.ts";
import { combineVerdicts } from "./flagger-hooks.ts";
import type { SloLookup } from "./ports.ts";
import type { AnalysisOutcome, Store } from "./store-port.ts";

/** The state namespace executions are kept in. */
export const KAYENTA_EXECUTIONS = "kayenta-executions";
/** Most looks one SLO gets in one execution (a longer window is looked at less often). */
export const MAX_EXECUTION_LOOKS = 60;
/** Longest window an execution judges (seconds). */
export const MAX_EXECUTION_WINDOW_SECONDS = 7 * 86400;

/** One entry of `GET /canaryConfig`, as Kayenta lists canary configs. */
export interface CanaryConfigEntry {
  readonly id: string;
  readonly name: string;
  /** Milliseconds. */
  readonly updatedTimestamp: number;
  readonly updatedTimestampIso: string;
  readonly applications: readonly string[];
  /** slogate's addition: the SLOs the config judges. */
  readonly slos: readonly string[];
}

/** Per-config settings (the service config's `kayenta.configs.<name>`). */
export interface CanaryConfigOverride {
  /** Judge instead of each SLO's own (`kayenta` for like-for-like migration). */
  readonly judge?: JudgeName;
  /** A bare scope value matches `{<scopeLabel>="<value>"}` instead of the SLO's selection. */
  readonly scopeLabel?: string;
  /** Label a scope's `region`/`location` is matched on (none: the location is ignored). */
  readonly locationLabel?: string;
  /** Window judged when a request sends no `start` (seconds before `end`). */
  readonly windowSeconds?: number;
}

/** The service-wide settings of the API. */
export interface KayentaSettings {
  readonly judge?: JudgeName;
  readonly locationLabel: string;
  readonly windowSeconds: number;
  readonly configs: Readonly<Record<string, CanaryConfigOverride>>;
}

/** What the Kayenta use cases need. */
export type KayentaDeps = AnalyzeLookDeps & {
  readonly catalog: SloLookup;
  readonly buildArmMatchers: (slo: Slo, arm: "canary" | "stable", value: string) => LabelMatcher[];
  readonly settings: KayentaSettings;
  /** The service clock, Unix seconds (when an execution's window has ended). */
  readonly now: () => number;
  /** Executions this process is working on. */
  readonly running: Map<string, Promise<void>>;
};

/** One scope of a request, validated (times Unix seconds). */
export interface KayentaScopeRequest {
  readonly name: string;
  readonly control: KayentaScopeArm;
  readonly experiment: KayentaScopeArm;
  /** `region` (Argo) or `location` (Kayenta) of the experiment scope; "" when none. */
  readonly location: string;
  readonly step: number;
  readonly start?: number;
  readonly end?: number;
}

/** A canary execution request, validated by the HTTP layer. */
export interface KayentaExecutionRequest {
  readonly configId: string;
  readonly application: string;
  readonly accounts: {
    readonly metricsAccountName: string;
    readonly configurationAccountName: string;
    readonly storageAccountName: string;
  };
  readonly scopes: readonly KayentaScopeRequest[];
  readonly thresholds: KayentaThresholds;
}

/** One (scope, SLO) pair of an execution, with the arms' matchers. */
interface StoredScope {
  /** The request's scope name. */
  readonly name: string;
  readonly slo: string;
  readonly canary: readonly LabelMatcher[];
  readonly stable: readonly LabelMatcher[];
}

interface SloOutcome {
  readonly slo: string;
  readonly scope: string;
  readonly analysis: string;
  readonly verdict: Verdict;
  /** What the analysis closes with. */
  readonly outcome: AnalysisOutcome;
  readonly final: boolean;
  readonly judge: string;
  readonly score: number;
  readonly reason: string;
  readonly looks: number;
  readonly checks: unknown;
  readonly link: string;
}

/** An execution as stored (the state record's value). */
interface Execution {
  readonly id: string;
  readonly configId: string;
  readonly configName: string;
  readonly application: string;
  readonly accounts: KayentaExecutionRequest["accounts"];
  readonly slos: readonly string[];
  readonly judge?: JudgeName;
  readonly scopes: readonly StoredScope[];
  readonly thresholds: KayentaThresholds;
  readonly start: number;
  readonly end: number;
  readonly interval: number;
  readonly createdAt: number;
  readonly status: "running" | "succeeded" | "terminal";
  readonly completedAt?: number;
  readonly verdict?: Verdict;
  readonly score?: number;
  readonly outcomes?: readonly SloOutcome[];
  readonly exception?: Record<string, unknown>;
}

function configsOf(catalog: SloLookup): { id: string; name: string; service: string; slos: Slo[] }[] {
  const byService = new Map<string, Slo[]>();
  for (const s of catalog.list()) byService.set(s.service, [...(byService.get(s.service) ?? []), s]);
  const out: { id: string; name: string; service: string; slos: Slo[] }[] = [];
  for (const [service, slos] of [...byService].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    out.push({ id: `service:${service}`, name: service, service, slos });
  }
  for (const s of [...catalog.list()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    out.push({ id: `slo:${s.id}`, name: s.id, service: s.service, slos: [s] });
  }
  return out;
}

/** `GET /canaryConfig`: every canary config (see the module comment). */
export function listCanaryConfigs(catalog: SloLookup): CanaryConfigEntry[] {
  const status = catalog.status();
  const ms = Math.round((status.lastGoodAt ?? status.lastLoadAt) * 1000);
  return configsOf(catalog).map((c) => ({
    id: c.id,
    name: c.name,
    updatedTimestamp: ms,
    updatedTimestampIso: new Date(ms).toISOString(),
    applications: [c.service],
    slos: c.slos.map((s) => s.id),
  }));
}

function scopeMatchers(
  deps: KayentaDeps,
  slo: Slo,
  arm: "canary" | "stable",
  scope: KayentaScopeArm,
  location: LabelMatcher | undefined,
  scopeLabel: string | undefined,
): LabelMatcher[] {
  const base =
    scope.kind === "labels"
      ? [...scope.matchers]
      : scopeLabel !== undefined
        ? [{ name: scopeLabel, op: "=" as const, value: scope.value }]
        : deps.buildArmMatchers(slo, arm, scope.value);
  return location === undefined || base.some((m) => m.name === location.name) ? base : [...base, location];
}

function newExecutionId(): string {
  return randomBytes(16).toString("hex");
}

async function save(deps: KayentaDeps, e: Execution): Promise<void> {
  await deps.store.putState({
    namespace: KAYENTA_EXECUTIONS,
    key: e.id,
    value: e as unknown as Record<string, unknown>,
    updatedAt: deps.wallClock(),
  });
}

/**
 * Deletes executions created before `before` (Unix seconds); returns how many. Run with the
 * service's retention (every 15 minutes, on one replica), not per request: it reads them all.
 */
export async function pruneCanaryExecutions(store: Store, before: number): Promise<number> {
  let n = 0;
  for (const r of await store.listState(KAYENTA_EXECUTIONS)) {
    const created = (r.value as unknown as Execution).createdAt;
    if (typeof created === "number" && created < before) {
      await store.deleteState(KAYENTA_EXECUTIONS, r.key);
      n++;
    }
  }
  return n;
}

/**
 * `POST /canary/{configId}`: validates and stores the execution (it then runs in the
 * background, or waits for its `end`); returns its id.
 */
export async function startCanaryExecution(deps: KayentaDeps, req: KayentaExecutionRequest): Promise<string> {
  const config = configsOf(deps.catalog).find((c) => c.id === req.configId);
  if (config === undefined) {
    throw new SlogateError(
      "NOT_FOUND",
      `no canary config with id ${JSON.stringify(req.configId.slice(0, 100))}`,
      {
        hint: "GET /canaryConfig lists them: service:<service> (all its SLOs) and slo:<slo id>; Argo finds the id by canaryConfigName",
      },
    );
  }
  if (req.scopes.length === 0 || req.scopes.length > 10) {
    throw new SlogateError("BAD_REQUEST", "scopes must hold 1 to 10 scopes", {
      hint: 'e.g. scopes: {default: {controlScope: {scope: "<stable hash>", …}, experimentScope: {scope: "<canary hash>", …}}}',
    });
  }
  const override = deps.settings.configs[config.name] ?? {};
  const now = deps.now();
  const first = req.scopes[0]!;
  const end = first.end ?? now;
  const start = first.start ?? end - (override.windowSeconds ?? deps.settings.windowSeconds);
  if (!(end > start) || end - start > MAX_EXECUTION_WINDOW_SECONDS) {
    throw new SlogateError(
      "BAD_REQUEST",
      `the window from ${new Date(start * 1000).toISOString()} to ${new Date(end * 1000).toISOString()} is empty or longer than 7 days`,
      { hint: "send start before end (RFC 3339 or Unix seconds) in experimentScope, or neither" },
    );
  }
  const interval = Math.max(first.step, Math.ceil((end - start) / MAX_EXECUTION_LOOKS));
  const locationLabel = override.locationLabel ?? deps.settings.locationLabel;
  const judge = override.judge ?? deps.settings.judge;
  // Every scope against every SLO: the matchers are built (and checked) now, so a bad scope
  // is a 400 to the POST rather than a failed execution.
  const scopes: StoredScope[] = [];
  for (const s of req.scopes) {
    for (const slo of config.slos) {
      const location =
        locationLabel === "" || s.location === ""
          ? undefined
          : { name: locationLabel, op: "=" as const, value: s.location };
      scopes.push({
        name: s.name,
        slo: slo.id,
        canary: scopeMatchers(deps, slo, "canary", s.experiment, location, override.scopeLabel),
        stable: scopeMatchers(deps, slo, "stable", s.control, location, override.scopeLabel),
      });
    }
  }
  const e: Execution = {
    id: newExecutionId(),
    configId: config.id,
    configName: config.name,
    application: req.application,
    accounts: req.accounts,
    slos: config.slos.map((s) => s.id),
    ...(judge === undefined ? {} : { judge }),
    scopes,
    thresholds: req.thresholds,
    start,
    end,
    interval,
    createdAt: now,
    status: "running",
  };
  await save(deps, e);
  deps.logger.info("kayenta execution started", {
    execution: e.id,
    config: config.name,
    slos: e.slos.join(","),
    start,
    end,
    interval,
  });
  ensureRunning(deps, e);
  return e.id;
}

/** Looks of one SLO over the window; stops at the first fail. */
async function judgeWindow(deps: KayentaDeps, e: Execution, scope: StoredScope): Promise<SloOutcome> {
  const scopeName = scope.name;
  const served = deps.catalog.get(scope.slo);
  const slo: Slo =
    e.judge === undefined ? served : { ...served, canary: { ...served.canary, judge: e.judge } };
  const analysisId = derivedId("kayenta", [e.id, scopeName, slo.id]);
  const count = Math.ceil((e.end - e.start) / e.interval);
  let last: LookResult | undefined;
  for (let k = 1; k <= count; k++) {
    const at = Math.min(e.end, e.start + k * e.interval);
    last = await analyzeLook(deps, {
      slo,
      analysisId,
      selectors: { canary: scope.canary, stable: scope.stable },
      controller: "argo",
      at,
      start: e.start,
      expectedLooks: count,
      rollout: `kayenta/${e.application}`.slice(0, 200),
    });
    if (last.look.verdict.verdict === "fail" || last.analysis.status === "closed") break;
  }
  const v = last!.look.verdict;
  return {
    slo: slo.id,
    scope: scopeName,
    analysis: analysisId,
    verdict: v.verdict,
    outcome: outcomeOf(v),
    final: v.final,
    judge: v.judge,
    score: v.score,
    reason: v.reason,
    looks: last!.look.seq,
    checks: v.checks,
    link: last!.link,
  };
}

async function runExecution(deps: KayentaDeps, e: Execution): Promise<void> {
  try {
    const outcomes: SloOutcome[] = [];
    for (const scope of e.scopes) outcomes.push(await judgeWindow(deps, e, scope));
    const verdict = combineVerdicts(outcomes.map((o) => o.verdict));
    // An execution is one judgement: an analysis its last look left open (a final
    // inconclusive or nodata) ends with it, so none lingers among the open analyses.
    for (const o of outcomes) await closeAnalysis(deps, o.analysis, o.outcome, e.end);
    await save(deps, {
      ...e,
      status: "succeeded",
      completedAt: deps.now(),
      verdict,
      score: kayentaScore(verdict, e.thresholds),
      outcomes,
    });
    deps.logger.info("kayenta execution judged", { execution: e.id, verdict });
  } catch (err) {
    const error = isSlogateError(err)
      ? err
      : new SlogateError("INTERNAL", "the execution failed", { hint: "see the service log", cause: err });
    deps.logger.warn("kayenta execution failed", { execution: e.id, code: error.code, error });
    // A store that cannot write cannot record the failure either: the next read retries.
    if (error.code !== "STORE_ERROR") {
      for (const scope of e.scopes) {
        const id = derivedId("kayenta", [e.id, scope.name, scope.slo]);
        if ((await deps.store.getAnalysis(id))?.status === "open")
          await closeAnalysis(deps, id, "aborted", e.end);
      }
      await save(deps, { ...e, status: "terminal", completedAt: deps.now(), exception: error.toJSON() });
    }
  }
}

/** Starts the execution in the background unless it is running here or its window is ahead. */
function ensureRunning(deps: KayentaDeps, e: Execution): void {
  if (e.status !== "running" || deps.running.has(e.id) || deps.now() < e.end) return;
  const job = runExecution(deps, e)
    .catch((err: unknown) =>
      deps.logger.warn("kayenta execution not recorded", { execution: e.id, error: err as Error }),
    )
    .finally(() => deps.running.delete(e.id));
  deps.running.set(e.id, job);
}

function classification(v: Verdict | undefined): string {
  return v === "pass" ? "Pass" : v === "fail" ? "Fail" : v === "nodata" ? "Nodata" : "Marginal";
}

/** `GET /canary/{executionId}`: the execution's status in Kayenta's shape, with slogate's details. */
export async function getCanaryExecution(deps: KayentaDeps, id: string): Promise<Record<string, unknown>> {
  const r = /^[0-9a-f]{32}$/.test(id) ? await deps.store.getState(KAYENTA_EXECUTIONS, id) : undefined;
  if (r === undefined) {
    throw new SlogateError("NOT_FOUND", `no canary execution ${JSON.stringify(id.slice(0, 100))}`, {
      hint: "the id comes from POST /canary/{configId}; executions are kept for the analyses' retention",
    });
  }
  const e = r.value as unknown as Execution;
  ensureRunning(deps, e);
  const complete = e.status !== "running";
  const iso = (t: number): string => new Date(t * 1000).toISOString();
  const body: Record<string, unknown> = {
    id: e.id,
    pipelineId: e.id,
    application: e.application,
    canaryConfigId: e.configId,
    canaryConfigName: e.configName,
    ...e.accounts,
    complete,
    status: e.status,
    executionStatus: e.status.toUpperCase(),
    startTimeMillis: Math.round(e.createdAt * 1000),
    startTimeIso: iso(e.createdAt),
    ...(e.completedAt === undefined
      ? {}
      : { endTimeMillis: Math.round(e.completedAt * 1000), endTimeIso: iso(e.completedAt) }),
    window: { start: iso(e.start), end: iso(e.end), intervalSeconds: e.interval },
    thresholds: e.thresholds,
  };
  if (e.status === "terminal") {
    return {
      ...body,
      exception: {
        ...e.exception,
        reason:
          "the execution could not be judged, so it has no score (Argo records an Error and retries at its next interval; never a pass)",
      },
    };
  }
  if (e.status !== "succeeded" || e.outcomes === undefined || e.score === undefined) return body;
  const reason = e.outcomes
    .map(
      (o) => `${o.slo}${e.scopes.length > e.slos.length ? ` (${o.scope})` : ""}: ${o.verdict} — ${o.reason}`,
    )
    .join("; ");
  return {
    ...body,
    result: {
      judgeResult: {
        judgeName: `slogate-${e.judge ?? "slo"}`,
        score: { score: e.score, classification: classification(e.verdict), classificationReason: reason },
        results: e.outcomes.map((o) => ({
          name: o.slo,
          id: o.analysis,
          scope: o.scope,
          classification: classification(o.verdict),
          classificationReason: o.reason,
          verdict: o.verdict,
          final: o.final,
          judge: o.judge,
          looks: o.looks,
          slogateScore: o.score,
          checks: o.checks,
          link: o.link,
        })),
      },
      verdict: e.verdict,
      links: e.outcomes.map((o) => o.link),
    },
  };
}
