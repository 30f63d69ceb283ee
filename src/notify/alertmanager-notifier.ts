/**
 * @module notify/alertmanager-notifier
 * Keeps one Alertmanager alert per failing SLO and rollout, and delivers it to every
 * configured Alertmanager (HA pairs deduplicate on identical labels):
 * - a failing look fires the alert (sent at once when new or when its labels/annotations
 *   changed, otherwise left to the periodic re-send);
 * - the failure stands after the analysis closed because of it (the service ends an analysis
 *   at its first fail and the rollout is rolled back): the alert keeps firing, so Alertmanager
 *   gets to route it, until a later analysis of the same SLO and rollout passes for good
 *   (final pass or promotion) — "a passing one resolves it" — or until `staleAfter`;
 * - the failing analysis itself passing again, ending inconclusive, or being closed with a
 *   verdict other than fail also resolves it (`endsAt = now`);
 * - every `resendInterval` each firing alert is re-sent with `endsAt` pushed to
 *   now + 4 × resendInterval, so it stays firing while slogate runs and expires on its own
 *   if slogate disappears (Prometheus' own rule: valid for 4 re-send periods);
 * - an alert with no event for `staleAfter` is no longer re-sent, and so expires.
 * Queued versions of the same alert replace each other (keyed by the label fingerprint).
 */
import type { Logger, VerdictEvent } from "../domain/verdict-event.ts";
import type { AlertmanagerNotifyConfig, DeliveryPolicy } from "../config/notify-config.ts";
import type { Store } from "../app/store-port.ts";
import {
  inMemoryQueues,
  type DeliveryOutcome,
  type NotifyQueue,
  type NotifyQueueFactory,
} from "./delivery-queue.ts";
import {
  buildCanaryAlertAnnotations,
  buildCanaryAlertLabels,
  labelFingerprint,
  rfc3339,
  type AlertmanagerAlert,
} from "./alertmanager-alert.ts";
import { postAlerts } from "./alertmanager-client.ts";

/** Alerts per POST (Prometheus sends batches of 64 too). */
const BATCH_SIZE = 64;

export interface AlertmanagerNotifierDeps {
  readonly config: AlertmanagerNotifyConfig;
  readonly defaultTeam: string;
  readonly policy: DeliveryPolicy;
  readonly logger: Logger;
  /** Unix seconds. */
  readonly now: () => number;
  readonly onOutcome: (outcome: DeliveryOutcome, count: number) => void;
  readonly onLengthChange: () => void;
  /** Queues of the Alertmanagers (in memory by default; the store's outbox for several replicas). */
  readonly queues?: NotifyQueueFactory;
  /**
   * Several replicas: firing alerts are kept in the store (namespace `alertmanager-firing`),
   * read before and written after every event, so any replica resolves an alert another one
   * fired, and a restart keeps re-sending them; only the holder of the `alertmanager-resend`
   * lease re-sends.
   */
  readonly shared?: {
    readonly store: Pick<Store, "putState" | "listState" | "deleteState" | "acquireLease">;
    readonly owner: string;
  };
}

const FIRING = "alertmanager-firing";

interface FiringAlert {
  readonly analysisId: string;
  readonly fingerprint: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly annotationsKey: string;
  readonly generatorURL: string;
  /** Unix seconds. */
  readonly startsAt: number;
  lastEventAt: number;
}

/**
 * Whether `event` resolves the firing alert raised by analysis `firingAnalysis` for the same
 * SLO and rollout: that analysis stopped failing (a pass, an inconclusive end, a close that
 * was not caused by the failure), or a later analysis passed for good (final pass, promotion).
 */
export function resolves(event: VerdictEvent, firingAnalysis: string): boolean {
  const v = event.verdict.verdict;
  if (event.analysisId === firingAnalysis) return v !== "fail";
  return v === "pass" && (event.verdict.final || (event.phase === "closed" && event.outcome === "promoted"));
}

/** Alertmanager delivery: alert state, periodic re-send, one queue per Alertmanager URL. */
export class AlertmanagerNotifier {
  readonly #d: AlertmanagerNotifierDeps;
  readonly #queues: NotifyQueue<AlertmanagerAlert>[];
  /** Events and re-sends in order (shared mode: each reads and writes the stored state). */
  #chain: Promise<void> = Promise.resolve();
  /** Firing alerts by SLO and rollout (the analysis id is a label of the alert). */
  readonly #firing = new Map<string, FiringAlert>();
  readonly #timer: NodeJS.Timeout;

  constructor(deps: AlertmanagerNotifierDeps) {
    this.#d = deps;
    this.#queues = deps.config.urls.map((url) =>
      (deps.queues ?? inMemoryQueues)<AlertmanagerAlert>({
        target: "alertmanager",
        destination: deps.shared === undefined ? url : `alertmanager:${url}`,
        policy: deps.policy,
        batchSize: BATCH_SIZE,
        deliver: (alerts, signal) => postAlerts(url, alerts, signal),
        onOutcome: deps.onOutcome,
        onLengthChange: deps.onLengthChange,
        logger: deps.logger,
      }),
    );
    this.#timer = setInterval(() => this.resendFiring(), deps.config.resendIntervalSeconds * 1000);
    this.#timer.unref();
  }

  /** Alerts waiting or in flight, all Alertmanagers. */
  get queueLength(): number {
    return this.#queues.reduce((n, q) => n + q.length, 0);
  }

  /** Number of alerts currently firing. */
  get firingCount(): number {
    return this.#firing.size;
  }

  /**
   * Handles one event (queues at most two alerts per Alertmanager): synchronously, or in
   * shared mode in order after loading the stored firing alerts.
   */
  handle(event: VerdictEvent): void {
    if (this.#d.shared === undefined) return this.#apply(event);
    this.#serial("could not update firing alerts", async () => {
      await this.#load();
      const before = this.#snapshot();
      this.#apply(event);
      await this.#save(before);
    });
  }

  #apply(event: VerdictEvent): void {
    const key = JSON.stringify([event.slo.id, event.rollout ?? ""]);
    const current = this.#firing.get(key);
    const now = this.#d.now();
    if (current !== undefined && resolves(event, current.analysisId)) {
      this.#firing.delete(key);
      this.#send(current, Math.max(now, current.startsAt));
      return;
    }
    if (event.verdict.verdict !== "fail") return;
    const labels = buildCanaryAlertLabels(event, this.#d.config, this.#d.defaultTeam);
    const fingerprint = labelFingerprint(labels);
    const annotations = buildCanaryAlertAnnotations(event);
    const annotationsKey = JSON.stringify(annotations);
    if (current !== undefined && current.fingerprint !== fingerprint) {
      // Another analysis of the same SLO and rollout failed: it replaces the old alert.
      this.#send(current, Math.max(now, current.startsAt));
    }
    const same = current !== undefined && current.fingerprint === fingerprint;
    const alert: FiringAlert = {
      analysisId: event.analysisId,
      fingerprint,
      labels,
      annotations,
      annotationsKey,
      generatorURL: event.link,
      startsAt: same ? current.startsAt : Math.min(event.at, now),
      lastEventAt: now,
    };
    this.#firing.set(key, alert);
    if (!same || current.annotationsKey !== annotationsKey) this.#send(alert, this.#expiry(now));
  }

  /** Re-sends every firing alert (called by the timer; exposed for tests and shutdown hooks). */
  resendFiring(): void {
    const shared = this.#d.shared;
    if (shared === undefined) return this.#resend();
    this.#serial("could not re-send firing alerts", async () => {
      const ttl = this.#d.config.resendIntervalSeconds * 2;
      if (!(await shared.store.acquireLease("alertmanager-resend", shared.owner, this.#d.now(), ttl))) return;
      await this.#load();
      const before = this.#snapshot();
      this.#resend();
      await this.#save(before);
    });
  }

  /** Waits for queued events and re-sends (shared mode), e.g. before reading state in tests. */
  settled(): Promise<void> {
    return this.#chain;
  }

  #serial(what: string, fn: () => Promise<void>): void {
    this.#chain = this.#chain.then(fn).catch((e: unknown) => {
      this.#d.logger.error(`notification skipped: ${what}`, {
        target: "alertmanager",
        reason: e instanceof Error ? e.message : String(e),
      });
    });
  }

  async #load(): Promise<void> {
    const records = await this.#d.shared!.store.listState(FIRING);
    this.#firing.clear();
    for (const r of records) this.#firing.set(r.key, { ...(r.value as unknown as FiringAlert) });
  }

  #snapshot(): Map<string, string> {
    return new Map([...this.#firing].map(([k, v]) => [k, JSON.stringify(v)]));
  }

  async #save(before: ReadonlyMap<string, string>): Promise<void> {
    const { store } = this.#d.shared!;
    const now = this.#d.now();
    for (const key of before.keys()) if (!this.#firing.has(key)) await store.deleteState(FIRING, key);
    for (const [key, alert] of this.#firing) {
      if (before.get(key) === JSON.stringify(alert)) continue;
      await store.putState({
        namespace: FIRING,
        key,
        value: alert as unknown as Record<string, unknown>,
        updatedAt: now,
      });
    }
  }

  #resend(): void {
    const now = this.#d.now();
    for (const [key, alert] of this.#firing) {
      if (now - alert.lastEventAt > this.#d.config.staleAfterSeconds) {
        this.#firing.delete(key);
        this.#d.logger.info(
          "canary alert left to expire: no passing analysis resolved it within staleAfter",
          {
            target: "alertmanager",
            analysis: alert.labels.analysis,
            slo: alert.labels.slo_id,
            staleAfterSeconds: this.#d.config.staleAfterSeconds,
          },
        );
        continue;
      }
      this.#send(alert, this.#expiry(now));
    }
  }

  /**
   * Stops re-sending and flushes what is queued. Firing alerts are NOT resolved: the failure
   * still stands; their `endsAt` expires them if no slogate instance re-sends them.
   */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#chain;
    await Promise.all(this.#queues.map((q) => q.close()));
  }

  #expiry(now: number): number {
    return now + 4 * this.#d.config.resendIntervalSeconds;
  }

  #send(alert: FiringAlert, endsAt: number): void {
    const body: AlertmanagerAlert = {
      labels: alert.labels,
      annotations: alert.annotations,
      startsAt: rfc3339(alert.startsAt),
      endsAt: rfc3339(endsAt),
      ...(/^https?:\/\//.test(alert.generatorURL) ? { generatorURL: alert.generatorURL } : {}),
    };
    // In memory, a queued version of the same alert is replaced; in an outbox every send
    // (fire, re-send, resolve) is its own item, kept once however many replicas queue it.
    const key =
      this.#d.shared === undefined
        ? alert.fingerprint
        : `${alert.fingerprint}/${body.startsAt}/${body.endsAt}`;
    for (const q of this.#queues) q.enqueue(key, body);
  }
}
