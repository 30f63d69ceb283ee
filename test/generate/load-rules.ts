/**
 * @module test/generate/load-rules
 * Loads rule files into a running test-bed Prometheus (`src/testbed/prometheus.ts`, started with
 * `--web.enable-lifecycle`): writes them beside its config, rewrites the config with
 * `rule_files` (keeping the bed's settings) and reloads. Also reads `/api/v1/rules`.
 * Used by the dashboard tests and the rules benchmark.
 */
import { writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { PrometheusBed } from "../../src/testbed/prometheus.ts";

/** The flag `startPrometheus` must get for `loadRuleFiles` to work. */
export const LIFECYCLE_FLAG = "--web.enable-lifecycle";

/** A rule group as `/api/v1/rules` reports it. */
export interface ApiRuleGroup {
  readonly name: string;
  readonly file: string;
  readonly evaluationTime: number;
  readonly lastEvaluation: string;
  readonly rules: readonly { readonly name: string; readonly health: string; readonly lastError?: string }[];
}

/** Replaces the bed's rule files with `files` and reloads; resolves when all groups are listed. */
export async function loadRuleFiles(
  bed: PrometheusBed,
  files: readonly { readonly name: string; readonly content: string }[],
  evaluationInterval = "15s",
): Promise<void> {
  const dir = dirname(bed.dataDir);
  const paths: string[] = [];
  for (const f of files) {
    const path = join(dir, `rules-${f.name}`);
    await writeFile(path, f.content);
    paths.push(path);
  }
  const config = [
    "global:",
    "  scrape_interval: 15s",
    `  evaluation_interval: ${evaluationInterval}`,
    "storage:",
    "  tsdb:",
    "    out_of_order_time_window: 876000h",
    "rule_files:",
    ...paths.map((p) => `  - ${JSON.stringify(p)}`),
    "",
  ].join("\n");
  await writeFile(join(dir, "prometheus.yml"), config);
  const res = await fetch(`${bed.url}/-/reload`, { method: "POST" });
  if (res.status !== 200)
    throw new Error(`reload failed: ${res.status} ${await res.text()}\n${bed.logTail()}`);
}

/** `GET /api/v1/rules`: the loaded rule groups. */
export async function ruleGroups(bed: PrometheusBed): Promise<ApiRuleGroup[]> {
  const res = await fetch(`${bed.url}/api/v1/rules`);
  const body = (await res.json()) as { data: { groups: ApiRuleGroup[] } };
  return body.data.groups;
}

/** An instant query; returns the result vector (empty on errors, with the error thrown). */
export async function instantQuery(
  bed: PrometheusBed,
  query: string,
  time?: number,
): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const params = new URLSearchParams({ query, ...(time === undefined ? {} : { time: String(time) }) });
  const res = await fetch(`${bed.url}/api/v1/query?${params.toString()}`);
  const body = (await res.json()) as {
    status: string;
    error?: string;
    data?: { resultType: string; result: unknown };
  };
  if (body.status !== "success") throw new Error(`query failed: ${body.error ?? res.status}: ${query}`);
  const r = body.data?.result;
  if (body.data?.resultType === "scalar") return [{ metric: {}, value: r as [number, string] }];
  return r as { metric: Record<string, string>; value: [number, string] }[];
}
