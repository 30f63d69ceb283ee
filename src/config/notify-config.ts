/**
 * @module config/notify-config
 * The typed `notifications:` section of the service configuration: where verdict alerts go
 * (Alertmanager URLs, Slack webhooks routed per SLO or per team) and how hard delivery tries
 * (queue capacity, retries, backoff, timeouts). Read and checked with the rest of the file by
 * `read-notifications.ts`; the notify adapters take these types. Pure.
 */

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

/** Delivery when the `delivery:` section leaves a setting out. */
export const DEFAULT_DELIVERY_POLICY: DeliveryPolicy = {
  queueCapacity: 1000,
  maxAttempts: 5,
  initialBackoffSeconds: 1,
  maxBackoffSeconds: 30,
  maxRetryAfterSeconds: 60,
  timeoutSeconds: 5,
  closeTimeoutSeconds: 5,
};

/** Team of SLOs without a team label when `defaultTeam` is not set. */
export const DEFAULT_TEAM = "platform";
