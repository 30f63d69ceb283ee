/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-call -- YAML manifests are untyped by nature */
/**
 * Every manifest shipped in deploy/ validates: Argo Rollouts and Flagger kinds against the CRD
 * schemas in ../shared/crds (their openAPIV3Schema, with ajv), built-in kinds against
 * Kubernetes' own schemas (`kubernetes-models`), PodMonitor/ServiceMonitor against the
 * Prometheus Operator's (`@kubernetes-models/prometheus-operator`). The wiring between the
 * files holds (Secret in the namespace where Argo resolves it, the SLOs every webhook and
 * template names are shipped with the right arm selection, the templates gate every SLO of
 * the service), the embedded config and SLO files load with slogate's parsers, and the plain
 * Prometheus scrape config passes `promtool check config`.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv } from "ajv";
import { parseAllDocuments, parse, stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { parseServiceConfig } from "../../src/config/read-service-config.ts";
import { loadSloFiles } from "../../src/catalog/load-slos.ts";

const root = join(import.meta.dirname, "..", "..");
const crds = join(root, "..", "shared", "crds");
const deploy = join(root, "deploy");

function docs(path: string): Record<string, any>[] {
  return parseAllDocuments(readFileSync(path, "utf8")).map((d) => d.toJS() as Record<string, any>);
}

function crdSchema(file: string, version: string): object {
  const crd = docs(join(crds, file))[0]!;
  const v = (crd.spec.versions as any[]).find((x) => x.name === version);
  return v.schema.openAPIV3Schema as object;
}

const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
const crdSchemas: Record<string, ReturnType<Ajv["compile"]>> = {
  "argoproj.io/v1alpha1/AnalysisTemplate": ajv.compile(
    crdSchema("argo-rollouts-analysistemplate-crd.yaml", "v1alpha1"),
  ),
  "argoproj.io/v1alpha1/Rollout": ajv.compile(crdSchema("argo-rollouts-rollout-crd.yaml", "v1alpha1")),
  "flagger.app/v1beta1/Canary": ajv.compile(crdSchema("flagger-canary-crd.yaml", "v1beta1")),
  "flagger.app/v1beta1/MetricTemplate": ajv.compile(crdSchema("flagger-metrictemplate-crd.yaml", "v1beta1")),
};

/** The model class of a built-in or Prometheus Operator kind. */
async function modelOf(apiVersion: string, kind: string): Promise<any> {
  const mod: Record<string, any> = apiVersion.startsWith("monitoring.coreos.com/")
    ? await import(`@kubernetes-models/prometheus-operator/${apiVersion}`)
    : await import(`kubernetes-models/${apiVersion}`);
  return mod[kind];
}

/** Validation errors of one manifest ([] when valid). */
async function problems(doc: Record<string, any>): Promise<string[]> {
  const crd = crdSchemas[`${doc.apiVersion}/${doc.kind}`];
  if (crd !== undefined) {
    if (crd(doc) === true) return [];
    return (crd.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ""}`).concat("invalid");
  }
  const Model = await modelOf(doc.apiVersion, doc.kind);
  if (Model === undefined) return [`no schema for ${doc.apiVersion} ${doc.kind}`];
  try {
    new Model(doc).validate();
    return [];
  } catch (e) {
    return [(e as Error).message];
  }
}

const manifestFiles = readdirSync(deploy, { recursive: true, encoding: "utf8" })
  .filter((f) => f.endsWith(".yaml"))
  .sort();
const all = manifestFiles.flatMap((f) => docs(join(deploy, f)).map((d) => ({ file: f, doc: d })));
/** A manifest of the default deployment (the replicated variant in kubernetes/replicated/ reuses names). */
const find = (kind: string, name: string) =>
  all.find(
    (d) =>
      !d.file.startsWith("kubernetes/replicated/") && d.doc.kind === kind && d.doc.metadata.name === name,
  )!.doc;

describe("every manifest in deploy/", () => {
  it("ships the Kubernetes, Argo, Flagger and monitoring manifests", () => {
    expect(manifestFiles).toEqual([
      "argo/analysis-template.yaml",
      "argo/rollout.yaml",
      "argo/token-secret.yaml",
      "flagger/canary.yaml",
      "flagger/prometheus-canary.yaml",
      "kayenta/analysis-template.yaml",
      "kayenta/network-policy.yaml",
      "kayenta/rollout.yaml",
      "kubernetes/monitoring.yaml",
      "kubernetes/replicated/slogate.yaml",
      "kubernetes/slogate.yaml",
    ]);
  });

  it.each(all.map((d) => [`${d.file}: ${d.doc.kind} ${d.doc.metadata?.name}`, d.doc] as const))(
    "%s validates against its schema and names its namespace",
    async (_name, doc) => {
      expect(await problems(doc)).toEqual([]);
      expect(doc.metadata.namespace, "an explicit namespace, so a copy lands where it must").toMatch(
        /^[a-z]/,
      );
    },
  );

  it("the schemas reject wrong field types, so the check can fail", async () => {
    const canary = structuredClone(find("Canary", "payments"));
    canary.spec.analysis.webhooks[0].type = "not-a-webhook-type";
    expect(await problems(canary)).not.toEqual([]);
    const template = structuredClone(find("AnalysisTemplate", "slogate"));
    template.spec.metrics[0].provider.web.headers = "Authorization";
    expect(await problems(template)).not.toEqual([]);
    const deployment = structuredClone(find("Deployment", "slogate"));
    deployment.spec.template.spec.containers[0].ports[0].containerPort = "http";
    expect(await problems(deployment)).not.toEqual([]);
    const monitor = structuredClone(find("PodMonitor", "shop-apps"));
    monitor.spec.podTargetLabels = "rollouts-pod-template-hash";
    expect(await problems(monitor)).not.toEqual([]);
    const kayenta = structuredClone(find("AnalysisTemplate", "slogate-kayenta"));
    delete kayenta.spec.metrics[0].provider.kayenta.scopes[0].controlScope.region;
    expect(await problems(kayenta)).not.toEqual([]);
    const metricTemplate = structuredClone(find("MetricTemplate", "slogate-verdict"));
    metricTemplate.spec.provider.type = "not-a-provider";
    expect(await problems(metricTemplate)).not.toEqual([]);
  });
});

describe("the Kayenta and Prometheus-API examples", () => {
  it("point the kayenta template at the Kayenta listener the deployment opens", () => {
    const config = parseServiceConfig(find("ConfigMap", "slogate-config").data["slogate.yaml"] as string, {});
    expect(config.kayenta).toMatchObject({ enabled: true, port: 8081 });
    const k = find("AnalysisTemplate", "slogate-kayenta").spec.metrics[0].provider.kayenta;
    expect(new URL(k.address as string).port).toBe("8081");
    expect(new URL(k.address as string).pathname).toBe("/kayenta");
    const service = find("Service", "slogate");
    expect(service.spec.ports).toContainEqual({ name: "kayenta", port: 8081, targetPort: "kayenta" });
    const policy = find("NetworkPolicy", "slogate-kayenta");
    expect(policy.spec.ingress[1].ports).toEqual([{ port: 8081, protocol: "TCP" }]);
  });

  it("gate the Flagger Canary on pass only, with the token slogate accepts", () => {
    const token = find("Secret", "slogate-tokens").stringData.token;
    expect(find("Secret", "slogate-prometheus-auth").stringData.token).toBe(token);
    const canary = all.find(
      (d) => d.file === "flagger/prometheus-canary.yaml" && d.doc.kind === "Canary",
    )!.doc;
    expect(canary.spec.analysis.metrics).toEqual([
      {
        name: "slogate",
        templateRef: { name: "slogate-verdict" },
        interval: "1m",
        thresholdRange: { min: 1 },
      },
    ]);
    expect(canary.spec.analysis.webhooks).toBeUndefined();
  });
});

describe("the Argo Rollouts manifests work together", () => {
  const rollout = find("Rollout", "checkout");
  const steps = rollout.spec.strategy.canary.steps as any[];

  it("the token Secret lives in the Rollout's namespace, where Argo resolves secretKeyRef", () => {
    const secret = find("Secret", "slogate-token");
    expect(secret.metadata.namespace).toBe(rollout.metadata.namespace);
    for (const name of ["slogate-start", "slogate", "slogate-final"]) {
      const t = find("AnalysisTemplate", name);
      expect(t.metadata.namespace).toBe(rollout.metadata.namespace);
      const token = (t.spec.args as any[]).find((a) => a.name === "token");
      expect(token.valueFrom.secretKeyRef).toEqual({ name: secret.metadata.name, key: "token" });
    }
    const served = find("Secret", "slogate-tokens");
    expect(served.metadata.namespace).toBe("monitoring");
    expect(served.stringData.token).toBe(secret.stringData.token);
  });

  it("starts with the baseline step before any weight and ends with the final verdict", () => {
    expect(steps[0].analysis.templates).toEqual([{ templateName: "slogate-start" }]);
    expect(steps.findIndex((s) => s.setWeight !== undefined)).toBe(1);
    expect(steps.at(-1).analysis.templates).toEqual([{ templateName: "slogate-final" }]);
    expect(rollout.spec.strategy.canary.analysis.startingStep).toBe(1);
    const start = find("AnalysisTemplate", "slogate-start");
    for (const m of start.spec.metrics) expect(m.provider.web.jsonBody.phase).toBe("start");
    const final = find("AnalysisTemplate", "slogate-final");
    for (const m of final.spec.metrics) {
      expect(m.count).toBe(1);
      expect(m.provider.web.jsonBody.final).toBe(true);
    }
  });

  it("each template gates every SLO of the service, with Argo's label selection", async () => {
    const slos = await deploySlos();
    const service = (rollout.spec.strategy.canary.analysis.args as any[]).find(
      (a) => a.name === "service",
    ).value;
    const ids = slos
      .filter((s) => s.service === service)
      .map((s) => s.id)
      .sort();
    expect(ids.length).toBeGreaterThanOrEqual(2);
    for (const s of slos.filter((x) => x.service === service)) expect(s.canary.selection.mode).toBe("label");
    for (const name of ["slogate-start", "slogate", "slogate-final"]) {
      const t = find("AnalysisTemplate", name);
      const named = (t.spec.metrics as any[])
        .map((m) => String(m.provider.web.jsonBody.slo).replace("{{args.service}}", service))
        .sort();
      expect(named, name).toEqual(ids);
    }
  });

  it("keeps unavailableAfter below the time Argo takes to turn errors into an abort", () => {
    for (const name of ["slogate", "slogate-final"]) {
      for (const m of find("AnalysisTemplate", name).spec.metrics) {
        const grace = Number(String(m.provider.web.jsonBody.unavailableAfter).replace(/s$/, ""));
        // Errors are retried every 10 s; the run errors after more than consecutiveErrorLimit.
        expect(grace).toBeLessThan(m.consecutiveErrorLimit * 10);
      }
    }
  });
});

describe("the Flagger Canary", () => {
  const canary = find("Canary", "payments");

  it("names only SLOs of its own service that select arms the Flagger way", async () => {
    const slos = await deploySlos();
    for (const w of canary.spec.analysis.webhooks) {
      expect(w.url).toMatch(new RegExp(`/api/v1/flagger/${w.type}$`));
      for (const ref of String(w.metadata.slo).split(",")) {
        const slo = slos.find((s) => s.id === ref);
        expect(slo, ref).toBeDefined();
        expect(slo!.canary.selection.mode).toBe("flagger");
        expect(slo!.service).toBe(canary.spec.targetRef.name);
      }
    }
    const served = slos
      .filter((s) => s.service === canary.spec.targetRef.name)
      .map((s) => s.id)
      .sort();
    expect(String(canary.spec.analysis.webhooks[1].metadata.slo).split(",").sort()).toEqual(served);
  });

  it("carries the token slogate accepts", () => {
    const token = find("Secret", "slogate-tokens").stringData.token;
    for (const w of canary.spec.analysis.webhooks) expect(w.metadata.token).toBe(token);
  });
});

async function deploySlos() {
  const dir = mkdtempSync(join(tmpdir(), "slogate-deploy-slos-"));
  for (const [name, text] of Object.entries(
    find("ConfigMap", "slogate-slos").data as Record<string, string>,
  )) {
    writeFileSync(join(dir, name), text);
  }
  const loaded = await loadSloFiles([dir]);
  expect(loaded.problems.filter((p) => p.severity === "error")).toEqual([]);
  return loaded.slos;
}

describe("the Kubernetes deployment", () => {
  it("embeds a config that slogate accepts", () => {
    const text = find("ConfigMap", "slogate-config").data["slogate.yaml"] as string;
    const config = parseServiceConfig(text, { SLOGATE_TOKENS: "x".repeat(24) });
    expect(config.store.dataDir).toBe("/var/lib/slogate");
    const mounts = find("Deployment", "slogate").spec.template.spec.containers[0].volumeMounts as any[];
    expect(mounts.map((m) => m.mountPath)).toContain(config.store.dataDir);
    expect(mounts.map((m) => m.mountPath)).toContain(config.slos[0]);
  });

  it("embeds SLO files that load without errors", async () => {
    const ids = (await deploySlos()).map((s) => s.id);
    expect(ids).toEqual(expect.arrayContaining(["checkout-latency", "checkout-errors", "payments-latency"]));
  });

  it("probes /readyz and /healthz on the service port", () => {
    const c = find("Deployment", "slogate").spec.template.spec.containers[0];
    expect(c.readinessProbe.httpGet.path).toBe("/readyz");
    expect(c.livenessProbe.httpGet.path).toBe("/healthz");
  });

  it("copies the Argo pod-template hash onto the application's series", () => {
    expect(find("PodMonitor", "shop-apps").spec.podTargetLabels).toContain("rollouts-pod-template-hash");
  });
});

describe("the plain Prometheus scrape config", () => {
  const text = readFileSync(join(deploy, "prometheus", "prometheus.yml"), "utf8");
  const config = parse(text) as { scrape_configs: any[] };

  it("relabels the pod-template hash, the pod name and the service", () => {
    const rules = config.scrape_configs[0].relabel_configs as any[];
    expect(rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          source_labels: ["__meta_kubernetes_pod_label_rollouts_pod_template_hash"],
          target_label: "rollouts_pod_template_hash",
        }),
        expect.objectContaining({ source_labels: ["__meta_kubernetes_pod_name"], target_label: "pod" }),
        expect.objectContaining({ target_label: "service" }),
      ]),
    );
  });

  it("passes promtool check config (Kubernetes discovery swapped for static targets: Debian's build has none)", () => {
    const dir = mkdtempSync(join(tmpdir(), "slogate-scrape-"));
    const check = (cfg: unknown): string => {
      writeFileSync(join(dir, "prometheus.yml"), stringify(cfg));
      try {
        return execFileSync("promtool", ["check", "config", join(dir, "prometheus.yml")], {
          encoding: "utf8",
          stdio: "pipe",
        });
      } catch (e) {
        return `FAILED ${String((e as { stdout?: string }).stdout)} ${String((e as { stderr?: string }).stderr)}`;
      }
    };
    const swapped = {
      ...config,
      scrape_configs: config.scrape_configs.map(({ kubernetes_sd_configs: _sd, ...job }) => ({
        ...job,
        static_configs: [{ targets: ["127.0.0.1:8080"] }],
      })),
    };
    expect(check(swapped)).toMatch(/SUCCESS/);
    // Negative control: a relabel action promtool does not know fails.
    const broken = structuredClone(swapped);
    broken.scrape_configs[0].relabel_configs[0].action = "keepall";
    expect(check(broken)).toMatch(/FAILED/);
  });
});

describe("the replicated Kubernetes deployment (PostgreSQL)", () => {
  const all = docs(join(root, "deploy/kubernetes/replicated/slogate.yaml"));
  const byKind = (kind: string, name: string) =>
    all.find((d) => d.kind === kind && d.metadata.name === name)!;
  const deployment = byKind("Deployment", "slogate");
  const pod = deployment.spec.template;

  it("runs three replicas on a postgres store whose URL file comes from the mounted Secret", () => {
    const text = byKind("ConfigMap", "slogate-config").data["slogate.yaml"] as string;
    const config = parseServiceConfig(text, { SLOGATE_TOKENS: "x".repeat(24) });
    expect(config.store).toMatchObject({ kind: "postgres", urlFile: "/etc/slogate/db/url" });
    expect(deployment.spec.replicas).toBe(3);
    expect(deployment.spec.strategy.type).toBe("RollingUpdate");
    const mount = (pod.spec.containers[0].volumeMounts as any[]).find(
      (m) => m.mountPath === "/etc/slogate/db",
    );
    const volume = (pod.spec.volumes as any[]).find((v) => v.name === mount.name);
    expect(volume.secret.secretName).toBe("slogate-db");
    expect(byKind("Secret", "slogate-db").stringData.url).toMatch(/^postgres:\/\//);
    expect(all.some((d) => d.kind === "PersistentVolumeClaim")).toBe(false);
  });

  it("has a PodDisruptionBudget over the replicas' pods and readiness on /readyz", () => {
    const pdb = byKind("PodDisruptionBudget", "slogate");
    expect(pdb.apiVersion).toBe("policy/v1");
    expect(pdb.spec.maxUnavailable).toBe(1);
    for (const [k, v] of Object.entries(pdb.spec.selector.matchLabels as Record<string, string>)) {
      expect(pod.metadata.labels[k]).toBe(v);
    }
    expect(pod.spec.containers[0].readinessProbe.httpGet.path).toBe("/readyz");
  });

  it("keeps the default deployment a single SQLite replica", () => {
    const single = docs(join(root, "deploy/kubernetes/slogate.yaml"));
    const d = single.find((x) => x.kind === "Deployment")!;
    expect(d.spec.replicas).toBe(1);
    const text = single.find((x) => x.kind === "ConfigMap" && x.metadata.name === "slogate-config")!.data[
      "slogate.yaml"
    ] as string;
    expect(parseServiceConfig(text, {}).store.kind).toBe("sqlite");
  });
});
