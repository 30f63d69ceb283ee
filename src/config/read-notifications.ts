/**
 * @module config/read-notifications
 * Reads the `notifications:` section of the service configuration into a typed
 * `NotifyConfig` with defaults applied, through the same reader as the rest of the file (one
 * duration grammar, `file:line:col` for every problem). `parseNotifyConfig` reads the section
 * from plain data (tests, programmatic use). See docs/notifications.md. Pure.
 */
import { SlogateError } from "../errors.ts";
import { isValidLabelName } from "../promql/matchers.ts";
import { hasErrors, type Problem, type YamlPath } from "../slo/problem.ts";
import { ConfigReader, plainDocument } from "./config-reader.ts";
import {
  DEFAULT_DELIVERY_POLICY,
  DEFAULT_TEAM,
  type AlertmanagerNotifyConfig,
  type DeliveryPolicy,
  type NotifyConfig,
  type SlackNotifyConfig,
  type SlackRoute,
  type SlackRouteMatch,
  type SlackWebhookSource,
} from "./notify-config.ts";

/** Where the notifications section is documented, for hints. */
export const NOTIFICATIONS_DOC = "docs/notifications.md";

const SECTION_KEYS = ["alertmanager", "slack", "delivery", "defaultTeam"] as const;
const ALERTMANAGER_KEYS = ["urls", "alertname", "severity", "labels", "resendInterval", "staleAfter"];
const SLACK_KEYS = ["routes", "default", "username", "iconEmoji", "announcePromotions", "maxChecks"];
const MATCH_KEYS = ["service", "slo", "team"] as const;
const DELIVERY_KEYS = [
  "queueCapacity",
  "maxAttempts",
  "initialBackoff",
  "maxBackoff",
  "maxRetryAfter",
  "timeout",
  "closeTimeout",
];

/** Reads the section at `path` (null or absent: no targets, default delivery). */
export function readNotifications(r: ConfigReader, path: YamlPath): NotifyConfig {
  const section = r.fields.map(path);
  if (section === undefined) return { defaultTeam: DEFAULT_TEAM, delivery: DEFAULT_DELIVERY_POLICY };
  r.fields.onlyKeys(path, SECTION_KEYS, "notifications");
  const alertmanager = readAlertmanager(r, [...path, "alertmanager"]);
  const slack = readSlack(r, [...path, "slack"]);
  return {
    defaultTeam: r.optionalText([...path, "defaultTeam"]) ?? DEFAULT_TEAM,
    delivery: readDelivery(r, [...path, "delivery"]),
    ...(alertmanager === undefined ? {} : { alertmanager }),
    ...(slack === undefined ? {} : { slack }),
  };
}

function readDelivery(r: ConfigReader, path: YamlPath): DeliveryPolicy {
  const d = DEFAULT_DELIVERY_POLICY;
  if (r.fields.map(path) === undefined) return d;
  r.fields.onlyKeys(path, DELIVERY_KEYS, "notifications.delivery");
  const at = (key: string): YamlPath => [...path, key];
  const policy: DeliveryPolicy = {
    queueCapacity: r.integer(at("queueCapacity"), d.queueCapacity, 1, 1_000_000),
    maxAttempts: r.integer(at("maxAttempts"), d.maxAttempts, 1, 100),
    initialBackoffSeconds: r.duration(at("initialBackoff"), d.initialBackoffSeconds, { min: 0 }),
    maxBackoffSeconds: r.duration(at("maxBackoff"), d.maxBackoffSeconds, { min: 0 }),
    maxRetryAfterSeconds: r.duration(at("maxRetryAfter"), d.maxRetryAfterSeconds, { min: 0 }),
    timeoutSeconds: r.duration(at("timeout"), d.timeoutSeconds, { min: 0.001 }),
    closeTimeoutSeconds: r.duration(at("closeTimeout"), d.closeTimeoutSeconds, { min: 0 }),
  };
  if (policy.maxBackoffSeconds < policy.initialBackoffSeconds) {
    r.report(
      at("maxBackoff"),
      `maxBackoff (${policy.maxBackoffSeconds}s) must be at least initialBackoff (${policy.initialBackoffSeconds}s)`,
      "raise maxBackoff or lower initialBackoff: backoff doubles from initialBackoff up to maxBackoff",
    );
  }
  return policy;
}

function readAlertmanager(r: ConfigReader, path: YamlPath): AlertmanagerNotifyConfig | undefined {
  if (r.fields.map(path) === undefined) return undefined;
  r.fields.onlyKeys(path, ALERTMANAGER_KEYS, "notifications.alertmanager");
  const urlsPath = [...path, "urls"];
  const urls: string[] = [];
  const list = r.fields.list(urlsPath, false);
  if (r.fields.get(urlsPath) === undefined || r.fields.get(urlsPath) === null) {
    r.fields.missing(urlsPath, "list the Alertmanager base URLs, e.g. urls: [http://alertmanager:9093]");
  } else if (list !== undefined && list.length === 0) {
    r.report(
      urlsPath,
      "urls is empty",
      "list at least one Alertmanager base URL, e.g. [http://alertmanager:9093]",
    );
  } else if (list !== undefined) {
    list.forEach((_, i) => {
      const url = r.httpUrlAsWritten([...urlsPath, i]);
      if (url === undefined) return;
      if (urls.includes(url)) {
        r.report([...urlsPath, i], `lists the same URL twice: ${url}`, "remove the duplicate entry");
      } else urls.push(url);
    });
  }
  const resendIntervalSeconds = r.duration([...path, "resendInterval"], 60, { min: 1 });
  const staleAfterSeconds = r.duration([...path, "staleAfter"], 3600, { min: 1 });
  if (staleAfterSeconds < resendIntervalSeconds) {
    r.report(
      [...path, "staleAfter"],
      `staleAfter (${staleAfterSeconds}s) must be at least resendInterval (${resendIntervalSeconds}s)`,
      "a firing alert is re-sent every resendInterval until it is staleAfter old",
    );
  }
  return {
    urls,
    alertname: r.optionalText([...path, "alertname"]) ?? "SlogateCanaryFailed",
    severity: r.optionalText([...path, "severity"]) ?? "ticket",
    labels: readLabels(r, [...path, "labels"]),
    resendIntervalSeconds,
    staleAfterSeconds,
  };
}

function readLabels(r: ConfigReader, path: YamlPath): Record<string, string> {
  const m = r.fields.map(path);
  const out: Record<string, string> = {};
  if (m === undefined) return out;
  for (const [k, v] of Object.entries(m)) {
    if (!isValidLabelName(k)) {
      r.report(
        [...path, k],
        `invalid label name ${JSON.stringify(k)}`,
        "label names must match [a-zA-Z_][a-zA-Z0-9_]*",
        true,
      );
    } else if (typeof v !== "string") {
      r.report([...path, k], `label values must be strings, got ${typeof v}`, `quote the value of ${k}`);
    } else out[k] = v;
  }
  return out;
}

function readSlack(r: ConfigReader, path: YamlPath): SlackNotifyConfig | undefined {
  if (r.fields.map(path) === undefined) return undefined;
  r.fields.onlyKeys(path, SLACK_KEYS, "notifications.slack");
  const routes: SlackRoute[] = [];
  const routesList = r.fields.list([...path, "routes"]);
  routesList?.forEach((_, i) => {
    const route = readSlackRoute(r, [...path, "routes", i], `route-${i}`, false);
    if (route !== undefined) routes.push(route);
  });
  const hasDefault =
    r.fields.get([...path, "default"]) !== undefined && r.fields.get([...path, "default"]) !== null;
  if (hasDefault) {
    const route = readSlackRoute(r, [...path, "default"], "default", true);
    if (route !== undefined) routes.push(route);
  }
  const hasRoutes =
    r.fields.get([...path, "routes"]) !== undefined && r.fields.get([...path, "routes"]) !== null;
  if (!hasRoutes && !hasDefault) {
    r.report(
      path,
      "slack needs `routes` (per SLO or team) and/or a `default` webhook",
      `see ${NOTIFICATIONS_DOC}`,
    );
  }
  const names = new Set<string>();
  routes.forEach((route) => {
    if (names.has(route.name)) {
      r.report(
        [...path, "routes"],
        `route name ${JSON.stringify(route.name)} is used twice`,
        "give every route a unique name",
      );
    }
    names.add(route.name);
  });
  const username = r.optionalText([...path, "username"]);
  const iconEmoji = r.optionalText([...path, "iconEmoji"]);
  return {
    routes,
    announcePromotions: r.boolean([...path, "announcePromotions"], false),
    maxChecks: r.integer([...path, "maxChecks"], 10, 1, 40),
    ...(username === undefined ? {} : { username }),
    ...(iconEmoji === undefined ? {} : { iconEmoji }),
  };
}

function readSlackRoute(
  r: ConfigReader,
  path: YamlPath,
  name: string,
  isDefault: boolean,
): SlackRoute | undefined {
  if (r.fields.get(path) === null) {
    r.report(path, "the route is empty", "give the route a webhookUrlFile or webhookUrl");
    return undefined;
  }
  if (r.fields.map(path) === undefined) return undefined;
  r.fields.onlyKeys(
    path,
    [...(isDefault ? [] : ["match"]), "name", "webhookUrl", "webhookUrlFile", "channel"],
    isDefault ? "the default Slack route" : "a Slack route",
  );
  const present = (key: string): boolean => {
    const v = r.fields.get([...path, key]);
    return v !== undefined && v !== null;
  };
  let webhook: SlackWebhookSource | undefined;
  if (present("webhookUrl") && present("webhookUrlFile")) {
    r.report(path, "set either webhookUrl or webhookUrlFile, not both", "keep the one that holds the URL");
  } else if (present("webhookUrl")) {
    const url = r.httpUrlAsWritten([...path, "webhookUrl"]);
    if (url !== undefined) webhook = { url };
  } else if (present("webhookUrlFile")) {
    const file = r.optionalText([...path, "webhookUrlFile"]);
    if (file !== undefined) webhook = { file };
  } else {
    r.report(
      path,
      "the route needs webhookUrl or webhookUrlFile",
      "add webhookUrlFile: a file holding the URL (e.g. a mounted secret), or webhookUrl",
    );
  }
  const match: { -readonly [K in keyof SlackRouteMatch]: SlackRouteMatch[K] } = {};
  if (!isDefault) {
    const matchPath = [...path, "match"];
    const m = r.fields.map(matchPath, true);
    if (m !== undefined && Object.keys(m).length === 0) {
      r.report(matchPath, "match is empty", "match on some of: service, slo, team");
    } else if (m !== undefined) {
      r.fields.onlyKeys(matchPath, MATCH_KEYS, "a Slack route match");
      for (const key of MATCH_KEYS) {
        const s = r.optionalText([...matchPath, key]);
        if (s !== undefined) match[key] = s;
      }
    }
  }
  const channel = r.optionalText([...path, "channel"]);
  const routeName = r.optionalText([...path, "name"]) ?? name;
  if (webhook === undefined) return undefined;
  return { name: routeName, match, webhook, ...(channel === undefined ? {} : { channel }) };
}

/**
 * Reads a `notifications:` section given as plain data (`undefined`/`null`: no targets).
 * Throws CONFIG_INVALID listing every problem with its path (`notifications.slack.routes[0]…`).
 */
export function parseNotifyConfig(raw: unknown): NotifyConfig {
  const problems: Problem[] = [];
  const r = new ConfigReader(plainDocument({ notifications: raw }, "notifications"), problems);
  const config = readNotifications(r, ["notifications"]);
  if (hasErrors(problems)) {
    const lines = problems.map((p) => `${p.path}: ${p.message}${p.hint === "" ? "" : ` (hint: ${p.hint})`}`);
    throw new SlogateError(
      "CONFIG_INVALID",
      `invalid notifications config (${lines.length} problem${lines.length === 1 ? "" : "s"}):\n- ${lines.join("\n- ")}`,
      {
        hint: `fix the listed keys of the \`notifications:\` section; see ${NOTIFICATIONS_DOC} for the format`,
        details: { problems: lines },
      },
    );
  }
  return config;
}
