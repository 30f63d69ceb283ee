import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isSlogateError } from "../errors.ts";
import { formatProblem } from "../slo/problem.ts";
import { parseServiceConfig, readServiceConfig } from "./read-service-config.ts";
import { CONFIG_ENV_VARS, DEFAULT_CONFIG, type ServiceConfig } from "./service-config.ts";

function problemsOf(yaml: string, env: Record<string, string> = {}): string[] {
  try {
    parseServiceConfig(yaml, env);
  } catch (e) {
    if (isSlogateError(e, "CONFIG_INVALID")) return e.details.problems as string[];
    throw e;
  }
  return [];
}

describe("parseServiceConfig", () => {
  it("reads the pages section, with the secret and Grafana URL from the environment", () => {
    const c = parseServiceConfig("pages: {linkTtl: 2d, grafanaUrl: 'http://grafana:3000/'}", {
      SLOGATE_PAGES_SECRET: "s".repeat(32),
    });
    expect(c.pages).toEqual({
      secret: "s".repeat(32),
      linkTtlSeconds: 2 * 86400,
      grafanaUrl: "http://grafana:3000",
    });
  });

  it.each([
    ["a short secret", "pages: {secret: short}", /pages\.secret/],
    ["a TTL that is not a duration", "pages: {linkTtl: forever}", /pages\.linkTtl/],
    ["a Grafana URL that is not http(s)", "pages: {grafanaUrl: 'ftp://g'}", /pages\.grafanaUrl/],
    ["an unknown pages setting", "pages: {colour: red}", /pages\.colour/],
  ])("refuses %s", (_label, yaml, problem) => {
    expect(problemsOf(yaml).join("\n")).toMatch(problem);
  });

  it("gives the defaults for an empty file and no environment", () => {
    expect(parseServiceConfig("", {})).toEqual(DEFAULT_CONFIG);
  });

  it("reads the file and lets the environment override it", () => {
    const c = parseServiceConfig(
      "listen: {port: 9000}\nprometheus: {url: 'http://prom:9090/', timeout: 30s}\nretention: {analyses: 7d}\nbaseline: {window: 2h}",
      { SLOGATE_PORT: "9100", SLOGATE_TOKENS: "aaaaaaaaaaaaaaaa, bbbbbbbbbbbbbbbb", SLOGATE_SLOS: "a,b" },
    );
    expect(c.listen.port).toBe(9100);
    expect(c.prometheus).toMatchObject({ url: "http://prom:9090", timeoutSeconds: 30 });
    expect(c.retention.analysesSeconds).toBe(7 * 86400);
    expect(c.baseline.windowSeconds).toBe(7200);
    expect(c.auth.tokens).toEqual(["aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb"]);
    expect(c.slos).toEqual(["a", "b"]);
  });

  it("lists every problem at once", () => {
    const problems = problemsOf(
      "listen: {port: 99999}\nprometheus: {url: 'ftp://x'}\nstore: {kind: redis}\nretention: {analyses: soon}\nauth: {tokens: [short]}\nlog: {level: loud}\nbogus: 1",
    );
    expect(problems).toHaveLength(7);
    expect(problems.join("\n")).toMatch(/listen\.port/);
    expect(problems.join("\n")).toMatch(/prometheus\.url/);
    expect(problems.join("\n")).toMatch(/store\.kind/);
    expect(problems.join("\n")).toMatch(/retention\.analyses/);
    expect(problems.join("\n")).toMatch(/auth\.tokens/);
    expect(problems.join("\n")).toMatch(/log\.level/);
    expect(problems.join("\n")).toMatch(/unknown field "bogus" in the service config \(bogus\)/);
  });

  it("reads a postgres store from the file or the environment", () => {
    expect(
      parseServiceConfig("store: {kind: postgres, url: 'postgres://u@db:5432/slogate', schema: gate}", {})
        .store,
    ).toEqual({
      kind: "postgres",
      dataDir: DEFAULT_CONFIG.store.dataDir,
      url: "postgres://u@db:5432/slogate",
      schema: "gate",
    });
    expect(
      parseServiceConfig("", { SLOGATE_STORE: "postgres", SLOGATE_STORE_URL_FILE: "/secrets/db/url" }).store,
    ).toMatchObject({ kind: "postgres", urlFile: "/secrets/db/url" });
  });

  it.each([
    ["no URL", "store: {kind: postgres}", /exactly one of store.url and store.urlFile/],
    ["both URL and file", "store: {kind: postgres, url: 'postgres://x/y', urlFile: /f}", /exactly one/],
    [
      "an http URL",
      "store: {kind: postgres, url: 'http://user:secret@db/x'}",
      /postgres:\/\/ or postgresql:\/\//,
    ],
    ["a URL for sqlite", "store: {kind: sqlite, url: 'postgres://x/y'}", /for kind postgres, not sqlite/],
    [
      "a schema that is not an identifier",
      "store: {kind: postgres, url: 'postgres://x/y', schema: 'a-b'}",
      /store\.schema/,
    ],
  ])("refuses a store with %s", (_label, yaml, message) => {
    const problems = problemsOf(yaml);
    expect(problems.join("\n")).toMatch(message);
    expect(problems.join("\n")).not.toMatch(/secret/);
  });

  it.each([
    ["YAML syntax errors", "listen: [unclosed"],
    ["a list at the top", "- a\n- b"],
    ["a bad cron expression", "baseline: {schedule: 'every day'}"],
    ["a port that is text", "listen: {port: eighty}"],
  ])("refuses %s with CONFIG_INVALID", (_label, yaml) => {
    let err: unknown;
    try {
      parseServiceConfig(yaml, {});
    } catch (e) {
      err = e;
    }
    expect(isSlogateError(err, "CONFIG_INVALID")).toBe(true);
  });

  it("accepts an empty schedule to disable scheduled baselines and step 0 to disable series", () => {
    const c = parseServiceConfig("baseline: {schedule: ''}\nseries: {step: 0}", {});
    expect(c.baseline.schedule).toBe("");
    expect(c.seriesStepSeconds).toBe(0);
  });

  it.each([
    ["flagger: {lookInterval: 45s}", 45],
    ["flagger: {lookInterval: 0}", 0],
    ["", 30],
  ])("reads the Flagger look interval from %j", (text, seconds) => {
    expect(parseServiceConfig(text, {}).flagger.lookIntervalSeconds).toBe(seconds);
  });

  it("refuses a negative Flagger look interval at its line", () => {
    const read = readServiceConfig("flagger:\n  lookInterval: -5s\n", {}, { file: "c.yaml" });
    expect(read.problems.map((p) => p.path)).toEqual(["flagger.lookInterval"]);
  });

  it("parses slogate.example.yaml, whose notifications section is read and typed with it", () => {
    const text = readFileSync(join(import.meta.dirname, "..", "..", "slogate.example.yaml"), "utf8");
    const c = parseServiceConfig(text, {});
    expect(c.publicUrl).toBe("http://slogate.monitoring:8080");
    expect(c.notifications?.alertmanager?.urls).toEqual(["http://alertmanager.monitoring:9093"]);
    expect(c.notifications?.slack?.routes.map((r) => r.webhook)).toEqual([
      { file: "/etc/slogate/secrets/slack-url" },
    ]);
  });
});

describe("readServiceConfig", () => {
  const lines = (yaml: string, env: Record<string, string> = {}): string[] =>
    readServiceConfig(yaml, env, { file: "slogate.yaml" }).problems.map(formatProblem);

  it("places every file problem at its file:line:col with the YAML path and a hint", () => {
    const yaml = [
      "listen:",
      "  port: 99999",
      "prometheus:",
      "  url: ftp://prom",
      "  headers: { 'bad name': x, X-Org: 5 }",
      "baseline:",
      "  windw: 2h",
      "notifications:",
      "  delivery: { initialBackoff: 1.5s }",
    ].join("\n");
    expect(lines(yaml)).toEqual([
      "slogate.yaml:2:9: error: expected an integer between 0 and 65535, got number 99999 (listen.port) hint: write listen.port as a whole number from 0 to 65535",
      "slogate.yaml:4:8: error: expected an http or https URL, not ftp: (prometheus.url) hint: write an absolute URL such as http://prometheus:9090",
      'slogate.yaml:5:14: error: "bad name" is not an HTTP header name (prometheus.headers.bad name) hint: header names are letters, digits and - (e.g. X-Scope-OrgID)',
      "slogate.yaml:5:36: error: expected a string, got number 5 (prometheus.headers.X-Org) hint: quote the value of header X-Org",
      'slogate.yaml:7:3: error: unknown field "windw" in baseline (baseline.windw) hint: did you mean "window"? allowed fields: schedule, window',
      'slogate.yaml:9:31: error: expected a duration, got the string "1.5s" (notifications.delivery.initialBackoff) hint: write a Prometheus duration like 500ms, 30s, 1m30s, 2h, 14d or 2w (whole numbers, no fractions), or a plain number of seconds',
    ]);
  });

  it("names the environment variable (or the flag) of a bad override instead of a file position", () => {
    const read = readServiceConfig(
      "listen: {port: 8080}",
      { SLOGATE_PORT: "eighty", SLOGATE_LOOK_TIMEOUT: "8" },
      {
        file: "slogate.yaml",
        envLabel: (name) => (name === "SLOGATE_PORT" ? "--port" : `$${name}`),
      },
    );
    expect(read.config).toBeUndefined();
    expect(read.problems.map(formatProblem)).toEqual([
      '--port: error: expected an integer between 0 and 65535, got the string "eighty" (listen.port) hint: write listen.port as a whole number from 0 to 65535',
      '$SLOGATE_LOOK_TIMEOUT: error: expected a duration, got the string "8" (limits.lookTimeout) hint: write a Prometheus duration like 500ms, 30s, 1m30s, 2h, 14d or 2w (whole numbers, no fractions), or a plain number of seconds',
    ]);
  });

  it.each([
    ["SLOGATE_HOST", "127.0.0.2", (c: ServiceConfig) => c.listen.host, "127.0.0.2"],
    ["SLOGATE_PORT", "9100", (c: ServiceConfig) => c.listen.port, 9100],
    [
      "SLOGATE_PUBLIC_URL",
      "https://gate.example/",
      (c: ServiceConfig) => c.publicUrl,
      "https://gate.example",
    ],
    ["SLOGATE_PROMETHEUS_URL", "http://p:9090", (c: ServiceConfig) => c.prometheus.url, "http://p:9090"],
    ["SLOGATE_PROMETHEUS_TIMEOUT", "2m", (c: ServiceConfig) => c.prometheus.timeoutSeconds, 120],
    ["SLOGATE_LOOK_TIMEOUT", "500ms", (c: ServiceConfig) => c.limits.lookTimeoutSeconds, 0.5],
    ["SLOGATE_SLOS", "a, b,", (c: ServiceConfig) => c.slos, ["a", "b"]],
    ["SLOGATE_STORE", "memory", (c: ServiceConfig) => c.store.kind, "memory"],
    ["SLOGATE_DATA_DIR", "/data", (c: ServiceConfig) => c.store.dataDir, "/data"],
    ["SLOGATE_TOKENS", "x".repeat(16), (c: ServiceConfig) => c.auth.tokens, ["x".repeat(16)]],
    ["SLOGATE_BASELINE_SCHEDULE", "@hourly", (c: ServiceConfig) => c.baseline.schedule, "@hourly"],
    ["SLOGATE_LOG_LEVEL", "debug", (c: ServiceConfig) => c.log.level, "debug"],
  ] as const)("lets %s=%j override the file", (name, value, get, expected) => {
    expect(Object.keys(CONFIG_ENV_VARS)).toContain(name);
    const file =
      "listen: {host: h, port: 1}\npublicUrl: http://x\nprometheus: {url: 'http://f', timeout: 1s}\nslos: [f]\nstore: {kind: sqlite, dataDir: d}\nauth: {tokens: ['" +
      "f".repeat(16) +
      "']}\nbaseline: {schedule: '0 * * * *'}\nlimits: {lookTimeout: 1s}\nlog: {level: warn}";
    expect(get(parseServiceConfig(file, { [name]: value }))).toEqual(expected);
  });

  it("takes an empty duration or port variable as unset (the default), as before", () => {
    const c = parseServiceConfig("", {
      SLOGATE_PROMETHEUS_TIMEOUT: "",
      SLOGATE_LOOK_TIMEOUT: "",
      SLOGATE_PORT: "",
    });
    expect([c.prometheus.timeoutSeconds, c.limits.lookTimeoutSeconds, c.listen.port]).toEqual([10, 8, 8080]);
  });

  it("checks the baseline cron expression when the file is read, from the file and the environment", () => {
    expect(lines("baseline: {schedule: '61 * * * *'}")).toEqual([
      'slogate.yaml:1:22: error: "61" is not a valid minute: 61 is outside 0-59 (in "61 * * * *") (baseline.schedule) hint: write five fields like "*/30 * * * *" (minute hour day-of-month month weekday), or "" to disable scheduled baselines',
    ]);
    expect(lines("", { SLOGATE_BASELINE_SCHEDULE: "* * 30 2 *" })).toEqual([
      '$SLOGATE_BASELINE_SCHEDULE: error: day of month 30 never occurs in month 2 (in "* * 30 2 *") (baseline.schedule) hint: write five fields like "*/30 * * * *" (minute hour day-of-month month weekday), or "" to disable scheduled baselines',
    ]);
    expect(parseServiceConfig("baseline: {schedule: '0 9 * * mon-fri'}", {}).baseline.schedule).toBe(
      "0 9 * * mon-fri",
    );
  });

  it("reports unknown keys of every section, with a did-you-mean when one is close", () => {
    const yaml =
      "listen: {prot: 1}\nstore: {dataDri: d}\nlimits: {bodybytes: 2048}\nlog: {levle: info}\nseries: {stpe: 1m}\nnotifications: {alertmanger: {}}";
    expect(lines(yaml).map((l) => /did you mean "(\w+)"/.exec(l)?.[1])).toEqual([
      "port",
      "dataDir",
      "bodyBytes",
      "level",
      "step",
      "alertmanager",
    ]);
  });

  it("reads a file of comments only as the defaults, and refuses several YAML documents", () => {
    expect(parseServiceConfig("# nothing set yet\n", {})).toEqual(DEFAULT_CONFIG);
    expect(lines("listen: {port: 1}\n---\nlisten: {port: 2}\n")).toEqual([
      "slogate.yaml:3:1: error: the config holds 2 YAML documents; slogate reads one hint: remove the `---` separators and merge the documents",
    ]);
  });

  it("types the notifications section and places its problems in the file", () => {
    const c = parseServiceConfig(
      "notifications:\n  alertmanager: {urls: ['http://am:9093'], resendInterval: 2w, staleAfter: 3w}",
      {},
    );
    expect(c.notifications?.alertmanager).toMatchObject({
      resendIntervalSeconds: 14 * 86400,
      staleAfterSeconds: 21 * 86400,
    });
    expect(c.notifications?.delivery.maxAttempts).toBe(5);
    expect(lines("notifications:\n  slack:\n    routes:\n      - match: {team: a}\n")).toEqual([
      "slogate.yaml:4:9: error: the route needs webhookUrl or webhookUrlFile (notifications.slack.routes[0]) hint: add webhookUrlFile: a file holding the URL (e.g. a mounted secret), or webhookUrl",
    ]);
  });

  it("finds no problem in slogate.example.yaml", () => {
    const text = readFileSync(join(import.meta.dirname, "..", "..", "slogate.example.yaml"), "utf8");
    const read = readServiceConfig(text, {}, { file: "slogate.example.yaml" });
    expect(read.problems).toEqual([]);
    expect(read.config).toMatchObject({
      listen: DEFAULT_CONFIG.listen,
      prometheus: DEFAULT_CONFIG.prometheus,
      store: DEFAULT_CONFIG.store,
      retention: DEFAULT_CONFIG.retention,
      baseline: DEFAULT_CONFIG.baseline,
      limits: DEFAULT_CONFIG.limits,
      seriesStepSeconds: DEFAULT_CONFIG.seriesStepSeconds,
      flagger: DEFAULT_CONFIG.flagger,
      log: DEFAULT_CONFIG.log,
    });
  });
});

describe("the backends section (per OpenSLO DataSource)", () => {
  it("reads an entry's URL, headers, auth, tls, timeout and queue bound", () => {
    const c = parseServiceConfig(
      "backends:\n  thanos-eu:\n    url: https://thanos.eu:10902/\n    headers: {X-Scope-OrgID: eu}\n    auth: {bearerTokenFile: /t}\n    tls: {caFile: /ca.pem}\n    timeout: 4s\n    maxConcurrentReads: 3\n  plain: {}\n",
      {},
    );
    expect(c.backends).toEqual({
      "thanos-eu": {
        url: "https://thanos.eu:10902",
        headers: { "X-Scope-OrgID": "eu" },
        auth: { bearerTokenFile: "/t" },
        tls: { caFile: "/ca.pem", insecureSkipVerify: false },
        timeoutSeconds: 4,
        maxConcurrentReads: 3,
      },
      plain: { headers: {}, auth: {}, tls: { insecureSkipVerify: false } },
    });
  });

  it.each([
    [
      "an unknown key",
      "backends:\n  a:\n    token: x\n",
      /^config:3:5: error: .*token.*\(backends\.a\.token\)/,
    ],
    [
      "a name that is no DataSource name",
      "backends:\n  Not_A_Name: {}\n",
      /^config:2:3: error: "Not_A_Name" is not a DataSource name/,
    ],
    [
      "a URL that is not http(s)",
      "backends:\n  a: {url: 'ftp://x'}\n",
      /^config:2:12: error: expected an http or https URL.*\(backends\.a\.url\)/,
    ],
    [
      "a certificate without its key",
      "backends:\n  a: {tls: {certFile: /c}}\n",
      /^config:2:.*client certificate needs both certFile and keyFile/,
    ],
    [
      "two kinds of credentials",
      "backends:\n  a:\n    auth: {bearerTokenFile: /t, basic: {username: u, password: p}}\n",
      /^config:3:.*set one of auth\.bearerTokenFile and auth\.basic/,
    ],
    [
      "a bad header name",
      "backends:\n  a: {headers: {'bad header': x}}\n",
      /^config:2:.*"bad header" is not an HTTP header name/,
    ],
    [
      "a zero queue bound",
      "backends:\n  a: {maxConcurrentReads: 0}\n",
      /^config:2:.*backends\.a\.maxConcurrentReads/,
    ],
    ["an entry that is not a mapping", "backends:\n  a: 3\n", /^config:2:.*expected a mapping/],
  ])("refuses %s, at its place", (_what, yaml, problem) => {
    const found = problemsOf(yaml);
    expect(
      found.some((p) => problem.test(p)),
      found.join("\n"),
    ).toBe(true);
  });
});
