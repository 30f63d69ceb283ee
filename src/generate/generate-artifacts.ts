/**
 * @module generate/generate-artifacts
 * Everything `slogate generate` writes, as data: the path (relative to the output directory)
 * and text of every file — Prometheus rule files and their `PrometheusRule` twins,
 * the Alertmanager configuration, Grafana dashboards and provisioning. Writing the files,
 * and comparing them with what is on disk for `--check`, is the CLI's job. Pure.
 */
import type { Slo } from "../slo/model.ts";
import {
  defaultAlertmanagerOptions,
  generateAlertmanagerConfig,
  type AlertmanagerOptions,
} from "./alertmanager-config.ts";
import { generateCanaryDashboard } from "./dashboards/canary-dashboard.ts";
import type { DashboardOptions } from "./dashboards/prometheus-panels.ts";
import { generateSelfDashboard } from "./dashboards/self-dashboard.ts";
import { generateSloDashboard, sloDashboardUid } from "./dashboards/slo-dashboard.ts";
import {
  generateDashboardProvider,
  generateDatasource,
  type GrafanaProvisioningOptions,
} from "./grafana-provisioning.ts";
import { generatedHeader, renderPrometheusRule, renderRuleFile, toYaml } from "./render-rules.ts";
import type { RuleFile } from "./rule-group.ts";
import { generateSelfRules, type SelfRuleOptions } from "./self-rules.ts";
import { generateSloRuleGroups, type SloRuleOptions } from "./slo-rules.ts";

/** One generated file. */
export interface GeneratedFile {
  /** Path relative to the output directory, `/`-separated. */
  readonly path: string;
  readonly content: string;
}

/** All generation settings. */
export type GenerateOptions = SloRuleOptions &
  SelfRuleOptions &
  AlertmanagerOptions &
  DashboardOptions &
  GrafanaProvisioningOptions;

/** Defaults, documented in `docs/generate.md`. */
export const defaultGenerateOptions: GenerateOptions = {
  ...defaultAlertmanagerOptions,
  baselineMaxAgeSeconds: 7 * 86_400,
  datasourceUid: "prometheus",
  prometheusUrl: "http://prometheus:9090",
  dashboardsPath: "/var/lib/grafana/dashboards/slogate",
};

/** A file-name-safe stem for a service name. */
export function fileStem(name: string): string {
  return name.replace(/[^a-zA-Z0-9_.-]+/g, "-").replace(/^[.-]+/, "") || "service";
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/**
 * Why an SLO gets no generated artifacts, or undefined when it gets them. Resource SLIs (per-pod
 * gauges) have no bad/total events to record or burn: they are judged per pod at canary time.
 */
export function generatorSkipReason(slo: Slo): string | undefined {
  if (slo.sli.type !== "resource") return undefined;
  return `SLO ${slo.id} (${slo.source.file}) is a resource SLI: it is judged per pod against stable at canary time and gets no recording rules, alerts or dashboard`;
}

/** The SLOs the generators handle (resource SLIs are left out, see `generatorSkipReason`). */
function generated(slos: readonly Slo[]): readonly Slo[] {
  return slos.filter((s) => generatorSkipReason(s) === undefined);
}

/** The rule files: one per service (in service order of first appearance) and slogate's own. */
export function generateRuleFiles(all: readonly Slo[], options: GenerateOptions): RuleFile[] {
  const slos = generated(all);
  const byService = new Map<string, Slo[]>();
  for (const slo of slos) byService.set(slo.service, [...(byService.get(slo.service) ?? []), slo]);
  const files: RuleFile[] = [...byService].map(([service, list]) => ({
    name: fileStem(service),
    groups: list.flatMap((s) => generateSloRuleGroups(s, options)),
  }));
  files.push({ name: "slogate", groups: [generateSelfRules(options)] });
  return files;
}

function sourcesOf(slos: readonly Slo[]): string {
  const files = [...new Set(slos.map((s) => s.source.file))].sort();
  return files.length === 0 ? "no SLO files" : files.join(", ");
}

/** Generates every file for `slos`, sorted by path. */
export function generateArtifacts(
  all: readonly Slo[],
  options: GenerateOptions = defaultGenerateOptions,
): GeneratedFile[] {
  const slos = generated(all);
  const out: GeneratedFile[] = [];
  for (const file of generateRuleFiles(slos, options)) {
    const from =
      file.name === "slogate"
        ? "slogate's metrics (docs/metrics.md)"
        : sourcesOf(slos.filter((s) => fileStem(s.service) === file.name));
    out.push({ path: `rules/${file.name}.yml`, content: renderRuleFile(file, from) });
    out.push({
      path: `rules/prometheus-operator/${file.name}.yaml`,
      content: renderPrometheusRule(file, from),
    });
  }
  out.push({
    path: "alertmanager/alertmanager.yml",
    content: generatedHeader(sourcesOf(slos)) + toYaml(generateAlertmanagerConfig(slos, options)),
  });
  for (const slo of slos) {
    out.push({
      path: `grafana/dashboards/${sloDashboardUid(slo)}.json`,
      content: json(generateSloDashboard(slo, options)),
    });
  }
  out.push({
    path: "grafana/dashboards/slogate-canary.json",
    content: json(generateCanaryDashboard(slos, options)),
  });
  out.push({ path: "grafana/dashboards/slogate-self.json", content: json(generateSelfDashboard(options)) });
  out.push({
    path: "grafana/provisioning/dashboards/slogate.yaml",
    content: generatedHeader("slogate's settings") + toYaml(generateDashboardProvider(options)),
  });
  out.push({
    path: "grafana/provisioning/datasources/prometheus.yaml",
    content: generatedHeader("slogate's settings") + toYaml(generateDatasource(options)),
  });
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
