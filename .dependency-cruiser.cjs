/**
 * slogate's layering, enforced by dependency-cruiser in `npm run check` (`npm run deps`).
 * The picture and the reasons are in docs/architecture.md; keep the two in step.
 *
 * Layers, bottom up. A folder may import its own layer's folders only where listed in
 * `SIDEWAYS`, and any folder of a lower layer; never a higher one. Type-only imports count.
 */
const LAYERS = [
  ["errors"], // src/errors.ts: the base error with a stable code
  ["promql"], // query templates, matchers, escaping
  ["slo"], // SLO formats -> the normalized Slo
  ["domain"], // the judge flow's vocabulary: counts, verdicts, events
  ["stats", "sim", "config"], // statistics; synthetic traffic; the service config reader
  ["judge", "generate"], // verdicts; rules, routes, dashboards
  ["app"], // use cases and the ports they declare (store, readers, catalog)
  ["report"], // analysis pages and offline reports rendered from stored records (pure)
  ["prometheus", "store", "notify", "metrics", "catalog", "http"], // adapters
  ["main"], // the composition root: the one place that builds every adapter
  ["testbed"], // real Prometheus / Alertmanager with synthetic traffic (demo, tests, benches)
  ["cli"], // command line
];
/** Folders with no I/O: no node:* modules, no network, database, cron or metrics libraries. */
const PURE = ["errors", "promql", "slo", "domain", "stats", "sim", "config", "judge", "generate", "report"];
/** Imports allowed between folders of the same layer (from -> to). */
const SIDEWAYS = [
  ["metrics", "store"],
  ["notify", "generate"],
];
const IO_PACKAGES = [
  "express",
  "axios",
  "node-cron",
  "prom-client",
  "@slack/webhook",
  "pg",
  "playwright-core",
];

const dir = (f) => (f === "errors" ? "^src/errors\\.ts$" : `^src/${f}/`);
const rank = new Map(LAYERS.flatMap((layer, i) => layer.map((f) => [f, i])));
const folders = [...rank.keys()];

const layerRules = folders.flatMap((from) => {
  const higherOrSideways = folders.filter(
    (to) =>
      to !== from && rank.get(to) >= rank.get(from) && !SIDEWAYS.some(([a, b]) => a === from && b === to),
  );
  if (higherOrSideways.length === 0) return [];
  return {
    name: `layer-${from}`,
    comment: `${from} may import only lower layers (see docs/architecture.md)`,
    severity: "error",
    from: { path: dir(from), pathNot: "\\.test\\.ts$" },
    to: { path: higherOrSideways.map(dir) },
  };
});

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "no import cycles between modules",
      severity: "error",
      from: { path: "^src/", pathNot: "\\.test\\.ts$" },
      to: { circular: true },
    },
    ...layerRules,
    {
      name: "pure-no-io",
      comment: "pure folders import no node:* module and no I/O library: time and data come in as parameters",
      severity: "error",
      from: { path: PURE.map(dir), pathNot: "(\\.test\\.ts|/testdata/.*)$" },
      to: {
        dependencyTypes: ["core"],
      },
    },
    {
      name: "pure-no-io-packages",
      comment: "pure folders import no network, database, cron or metrics library",
      severity: "error",
      from: { path: PURE.map(dir), pathNot: "\\.test\\.ts$" },
      to: { path: IO_PACKAGES.map((p) => `^node_modules/${p}/`) },
    },
    {
      name: "src-not-test",
      comment: "product code never loads test code",
      severity: "error",
      from: { path: "^src/" },
      to: { path: "^test/" },
    },
    {
      name: "not-to-unresolvable",
      comment: "every import resolves",
      severity: "error",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      extensions: [".ts", ".js", ".json"],
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
    },
  },
};
