/**
 * @module notify/notify-config
 * The `notifications:` section of slogate's service configuration: where verdict alerts go
 * (Alertmanager URLs, Slack webhooks routed per SLO or per team) and how hard delivery tries
 * (queue capacity, retries, backoff, timeouts). `parseNotifyConfig` turns the raw YAML value
 * into a typed config with defaults applied, reporting every problem at once with its path.
 * Pure: reading webhook URL files happens at send time in the Slack adapter.
 */
import { SlogateError } from "../errors.ts";
import { isValidLabelName } from "../promql/matchers.ts";

/** How delivery to every destination behaves. Durations in seconds. */
export interface DeliveryPolicy {
  /** Notifications waiting per destination (Alertmanager URL or Slack route); the oldest is dropped when full. */
  readonly queueCapacity: number;
  /** Attempts per notification, the first included; then it is dropped and logged. */
  readonly maxAttempts: number;
  /** Backoff before the first retry; doubles per attempt (with jitter) up to `maxBackoffSeconds`. */
  readonly initialBackoffSeconds: number;
  readonly maxBackoffSeconds: number;
  /** A 429's `Retry-After` is honoured up to this many seconds (longer waits are capped to it). */
  readonly maxRetryAfterSeconds: number;
  /** Timeout of one HTTP request. */
  readonly timeoutSeconds: number;
  /** On shutdown, how long queued notifications may still be flushed before being dropped. */
  readonly closeTimeoutSeconds: number;
}

/** Alertmanager v2 target: alerts for failing canaries. */
export interface AlertmanagerNotifyConfig {
  /** Base URLs (e.g. `http://alertmanager:9093`); every alert goes to all of them (HA). */
  readonly urls: readonly string[];
  /** The `alertname` label of the canary alert. Default `SlogateCanaryFailed`. */
  readonly alertname: string;
  /**
   * The tier: set as both `severity` and `sloth_severity` (what the generated routing matches,
   * `page` or `ticket`). Default `ticket`.
   */
  readonly severity: string;
  /** Static labels added to every alert (slogate's own labels win on a clash). */
  readonly labels: Readonly<Record<string, string>>;
  /** A firing alert is re-sent this often (must stay below Alertmanager's resolve_timeout). Default 60. */
  readonly resendIntervalSeconds: number;
  /**
   * A firing alert with no event for its SLO and rollout for this long is no longer re-sent
   * and expires: how long a failed canary stays firing when no passing analysis of the same
   * SLO and rollout follows to resolve it. Default 3600.
   */
  readonly staleAfterSeconds: number;
}

/** Which verdicts a Slack route takes: all keys given must equal the event's. */
export interface SlackRouteMatch {
  readonly service?: string;
  /** Matches the SLO's name or its id (`<service>-<name>`). */
  readonly slo?: string;
  readonly team?: string;
}

/** Where a Slack webhook URL comes from: inline (tests, local use) or a file (a mounted secret). */
export type SlackWebhookSource = { readonly url: string } | { readonly file: string };

/** One Slack destination and the verdicts it receives. */
export interface SlackRoute {
  /** For logs and metrics context; defaults to `route-<index>` or `default`. */
  readonly name: string;
  readonly match: SlackRouteMatch;
  readonly webhook: SlackWebhookSource;
  /** Channel override (only honoured by legacy webhooks; modern webhooks are bound to one channel). */
  readonly channel?: string;
}

/** Slack target: one message per verdict change of an analysis. */
export interface SlackNotifyConfig {
  /** Tried in order; the first match wins; `default` (if any) takes the rest. */
  readonly routes: readonly SlackRoute[];
  readonly username?: string;
  readonly iconEmoji?: string;
  /** Also announce analyses that were promoted without any failure. Default false. */
  readonly announcePromotions: boolean;
  /** At most this many failing checks are listed per message. Default 10. */
  readonly maxChecks: number;
}

/** The whole `notifications:` section, defaults applied. */
export interface NotifyConfig {
  /**
   * Team of SLOs without a `team` (or `owner`) label: the `team` alert label and Slack route
   * matching use it. Default `platform`, as `slogate generate`'s Alertmanager routing.
   */
  readonly defaultTeam: string;
  readonly alertmanager?: AlertmanagerNotifyConfig;
  readonly slack?: SlackNotifyConfig;
  readonly delivery: DeliveryPolicy;
}

export const DEFAULT_DELIVERY_POLICY: DeliveryPolicy = {
  queueCapacity: 1000,
  maxAttempts: 5,
  initialBackoffSeconds: 1,
  maxBackoffSeconds: 30,
  maxRetryAfterSeconds: 60,
  timeoutSeconds: 5,
  closeTimeoutSeconds: 5,
};

type Obj = Record<string, unknown>;

/** Collects problems with their YAML path instead of stopping at the first. */
class Problems {
  readonly list: string[] = [];
  add(path: string, msg: string): void {
    this.list.push(`${path}: ${msg}`);
  }
}

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const DURATION_PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;
const DURATION_WHOLE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/;
const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };

/** Parses `90`, `"1m30s"`, `"500ms"` into seconds; undefined when invalid. */
function parseDurationSeconds(v: unknown): number | undefined {
  if (typeof v === "number") return Number.isFinite(v) && v >= 0 ? v : undefined;
  if (typeof v !== "string" || !DURATION_WHOLE.test(v.trim())) return undefined;
  let total = 0;
  for (const m of v.trim().matchAll(DURATION_PART)) total += Number(m[1]) * (UNIT_SECONDS[m[2] ?? "s"] ?? 1);
  return total;
}

function checkKeys(p: Problems, path: string, o: Obj, allowed: readonly string[]): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) p.add(`${path}.${k}`, `unknown key (allowed: ${allowed.join(", ")})`);
  }
}

function readString(p: Problems, path: string, v: unknown, fallback: string): string;
function readString(p: Problems, path: string, v: unknown, fallback?: undefined): string | undefined;
function readString(p: Problems, path: string, v: unknown, fallback?: string): string | undefined {
  if (v === undefined || v === null) return fallback;
  if (typeof v !== "string" || v.trim() === "") {
    p.add(path, "must be a non-empty string");
    return fallback;
  }
  return v;
}

function readDuration(p: Problems, path: string, v: unknown, fallback: number, min: number): number {
  if (v === undefined || v === null) return fallback;
  const s = parseDurationSeconds(v);
  if (s === undefined || s < min) {
    p.add(path, `must be a duration such as "30s", "1m" or seconds as a number, at least ${min}s`);
    return fallback;
  }
  return s;
}

function readInt(p: Problems, path: string, v: unknown, fallback: number, min: number, max: number): number {
  if (v === undefined || v === null) return fallback;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    p.add(path, `must be an integer between ${min} and ${max}`);
    return fallback;
  }
  return v;
}

function readBool(p: Problems, path: string, v: unknown, fallback: boolean): boolean {
  if (v === undefined || v === null) return fallback;
  if (typeof v !== "boolean") {
    p.add(path, "must be true or false");
    return fallback;
  }
  return v;
}

function readHttpUrl(p: Problems, path: string, v: unknown): string | undefined {
  if (typeof v !== "string") {
    p.add(path, "must be an http(s) URL string");
    return undefined;
  }
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    p.add(path, `not a valid URL: ${JSON.stringify(v)}`);
    return undefined;
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") {
    p.add(path, `must use http or https, not ${u.protocol}`);
    return undefined;
  }
  return v;
}

function readLabels(p: Problems, path: string, v: unknown): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (!isObj(v)) {
    p.add(path, "must be a map of label names to string values");
    return {};
  }
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (!isValidLabelName(k)) p.add(`${path}.${k}`, "label names must match [a-zA-Z_][a-zA-Z0-9_]*");
    else if (typeof val !== "string") p.add(`${path}.${k}`, "label values must be strings");
    else out[k] = val;
  }
  return out;
}

function parseDelivery(p: Problems, path: string, v: unknown): DeliveryPolicy {
  const d = DEFAULT_DELIVERY_POLICY;
  if (v === undefined || v === null) return d;
  if (!isObj(v)) {
    p.add(path, "must be a map");
    return d;
  }
  checkKeys(p, path, v, [
    "queueCapacity",
    "maxAttempts",
    "initialBackoff",
    "maxBackoff",
    "maxRetryAfter",
    "timeout",
    "closeTimeout",
  ]);
  const policy: DeliveryPolicy = {
    queueCapacity: readInt(p, `${path}.queueCapacity`, v.queueCapacity, d.queueCapacity, 1, 1_000_000),
    maxAttempts: readInt(p, `${path}.maxAttempts`, v.maxAttempts, d.maxAttempts, 1, 100),
    initialBackoffSeconds: readDuration(
      p,
      `${path}.initialBackoff`,
      v.initialBackoff,
      d.initialBackoffSeconds,
      0,
    ),
    maxBackoffSeconds: readDuration(p, `${path}.maxBackoff`, v.maxBackoff, d.maxBackoffSeconds, 0),
    maxRetryAfterSeconds: readDuration(
      p,
      `${path}.maxRetryAfter`,
      v.maxRetryAfter,
      d.maxRetryAfterSeconds,
      0,
    ),
    timeoutSeconds: readDuration(p, `${path}.timeout`, v.timeout, d.timeoutSeconds, 0.001),
    closeTimeoutSeconds: readDuration(p, `${path}.closeTimeout`, v.closeTimeout, d.closeTimeoutSeconds, 0),
  };
  if (policy.maxBackoffSeconds < policy.initialBackoffSeconds) {
    p.add(`${path}.maxBackoff`, "must be at least initialBackoff");
  }
  return policy;
}

function parseAlertmanager(p: Problems, path: string, v: unknown): AlertmanagerNotifyConfig | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) {
    p.add(path, "must be a map with at least `urls`");
    return undefined;
  }
  checkKeys(p, path, v, ["urls", "alertname", "severity", "labels", "resendInterval", "staleAfter"]);
  const urls: string[] = [];
  if (!Array.isArray(v.urls) || v.urls.length === 0) {
    p.add(
      `${path}.urls`,
      "must be a non-empty list of Alertmanager base URLs, e.g. [http://alertmanager:9093]",
    );
  } else {
    v.urls.forEach((u, i) => {
      const url = readHttpUrl(p, `${path}.urls[${i}]`, u);
      if (url !== undefined) urls.push(url);
    });
    if (new Set(urls).size !== urls.length) p.add(`${path}.urls`, "lists the same URL twice");
  }
  const alertname = readString(p, `${path}.alertname`, v.alertname, "SlogateCanaryFailed");
  const resendIntervalSeconds = readDuration(p, `${path}.resendInterval`, v.resendInterval, 60, 1);
  const staleAfterSeconds = readDuration(p, `${path}.staleAfter`, v.staleAfter, 3600, 1);
  if (staleAfterSeconds < resendIntervalSeconds)
    p.add(`${path}.staleAfter`, "must be at least resendInterval");
  return {
    urls,
    alertname,
    severity: readString(p, `${path}.severity`, v.severity, "ticket"),
    labels: readLabels(p, `${path}.labels`, v.labels),
    resendIntervalSeconds,
    staleAfterSeconds,
  };
}

function parseSlackRoute(
  p: Problems,
  path: string,
  v: unknown,
  name: string,
  isDefault: boolean,
): SlackRoute | undefined {
  if (!isObj(v)) {
    p.add(path, "must be a map with `webhookUrl` or `webhookUrlFile`");
    return undefined;
  }
  checkKeys(p, path, v, [...(isDefault ? [] : ["match"]), "name", "webhookUrl", "webhookUrlFile", "channel"]);
  let webhook: SlackWebhookSource | undefined;
  if (v.webhookUrl !== undefined && v.webhookUrlFile !== undefined) {
    p.add(path, "set either webhookUrl or webhookUrlFile, not both");
  } else if (v.webhookUrl !== undefined) {
    const url = readHttpUrl(p, `${path}.webhookUrl`, v.webhookUrl);
    if (url !== undefined) webhook = { url };
  } else if (v.webhookUrlFile !== undefined) {
    const file = readString(p, `${path}.webhookUrlFile`, v.webhookUrlFile);
    if (file !== undefined) webhook = { file };
  } else {
    p.add(path, "needs webhookUrl or webhookUrlFile (a file holding the URL, e.g. a mounted secret)");
  }
  const match: { service?: string; slo?: string; team?: string } = {};
  if (!isDefault) {
    if (!isObj(v.match) || Object.keys(v.match).length === 0) {
      p.add(`${path}.match`, "must be a non-empty map with some of: service, slo, team");
    } else {
      checkKeys(p, `${path}.match`, v.match, ["service", "slo", "team"]);
      for (const key of ["service", "slo", "team"] as const) {
        const s = readString(p, `${path}.match.${key}`, v.match[key]);
        if (s !== undefined) match[key] = s;
      }
    }
  }
  const channel = readString(p, `${path}.channel`, v.channel);
  if (webhook === undefined) return undefined;
  return {
    name: readString(p, `${path}.name`, v.name, name),
    match,
    webhook,
    ...(channel === undefined ? {} : { channel }),
  };
}

function parseSlack(p: Problems, path: string, v: unknown): SlackNotifyConfig | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) {
    p.add(path, "must be a map with `routes` and/or `default`");
    return undefined;
  }
  checkKeys(p, path, v, ["routes", "default", "username", "iconEmoji", "announcePromotions", "maxChecks"]);
  const routes: SlackRoute[] = [];
  if (v.routes !== undefined && v.routes !== null) {
    if (!Array.isArray(v.routes)) p.add(`${path}.routes`, "must be a list");
    else
      v.routes.forEach((r, i) => {
        const route = parseSlackRoute(p, `${path}.routes[${i}]`, r, `route-${i}`, false);
        if (route !== undefined) routes.push(route);
      });
  }
  if (v.default !== undefined && v.default !== null) {
    const route = parseSlackRoute(p, `${path}.default`, v.default, "default", true);
    if (route !== undefined) routes.push(route);
  }
  if ((v.routes === undefined || v.routes === null) && (v.default === undefined || v.default === null)) {
    p.add(path, "needs `routes` (per SLO or team) and/or a `default` webhook");
  }
  const names = routes.map((r) => r.name);
  if (new Set(names).size !== names.length) p.add(`${path}.routes`, "route names must be unique");
  const username = readString(p, `${path}.username`, v.username);
  const iconEmoji = readString(p, `${path}.iconEmoji`, v.iconEmoji);
  return {
    routes,
    announcePromotions: readBool(p, `${path}.announcePromotions`, v.announcePromotions, false),
    maxChecks: readInt(p, `${path}.maxChecks`, v.maxChecks, 10, 1, 40),
    ...(username === undefined ? {} : { username }),
    ...(iconEmoji === undefined ? {} : { iconEmoji }),
  };
}

/**
 * Parses the `notifications:` section (already loaded from YAML/JSON). `undefined`/`null`
 * means no notifications. Throws CONFIG_INVALID listing every problem with its path.
 */
export function parseNotifyConfig(raw: unknown, path = "notifications"): NotifyConfig {
  const p = new Problems();
  let config: NotifyConfig = { defaultTeam: "platform", delivery: DEFAULT_DELIVERY_POLICY };
  if (raw !== undefined && raw !== null) {
    if (!isObj(raw)) {
      p.add(path, "must be a map with `alertmanager`, `slack`, `delivery` and/or `defaultTeam`");
    } else {
      checkKeys(p, path, raw, ["alertmanager", "slack", "delivery", "defaultTeam"]);
      const defaultTeam = readString(p, `${path}.defaultTeam`, raw.defaultTeam, "platform");
      const alertmanager = parseAlertmanager(p, `${path}.alertmanager`, raw.alertmanager);
      const slack = parseSlack(p, `${path}.slack`, raw.slack);
      config = {
        defaultTeam,
        delivery: parseDelivery(p, `${path}.delivery`, raw.delivery),
        ...(alertmanager === undefined ? {} : { alertmanager }),
        ...(slack === undefined ? {} : { slack }),
      };
    }
  }
  if (p.list.length > 0) {
    throw new SlogateError(
      "CONFIG_INVALID",
      `invalid notifications config (${p.list.length} problem${p.list.length === 1 ? "" : "s"}):\n- ${p.list.join("\n- ")}`,
      {
        hint: "fix the listed keys of the `notifications:` section; see docs/notifications.md for the format",
        details: { problems: p.list },
      },
    );
  }
  return config;
}
