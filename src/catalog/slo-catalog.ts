/**
 * @module catalog/slo-catalog
 * The SLOs the service serves. Loaded at start and reloaded when the files change; a reload
 * that finds errors is reported (log, `/api/v1/slos`, metric) and the last good version keeps
 * serving. On the very first load the valid SLOs found are served even if others fail — and
 * the log and `status().everValid: false` say there is no good version to fall back on.
 *
 * Seeing changes (`watch`): every directory read is watched (non-recursive `fs.watch`, so an
 * in-place write, a rename-save, a new or deleted file, a Kubernetes ConfigMap's `..data`
 * symlink flip all raise an event), the watchers are re-armed after every reload (directories
 * come and go; a swapped directory is a new inode), and a poll (`pollMs`, default 2 s) compares
 * a fingerprint of the files' bytes with the one last loaded — the fallback when events are
 * missed, unsupported or the inotify limit is reached. A reload happens only when the
 * fingerprint changed.
 *
 * SLOs that disappear: when a (valid) reload drops an SLO that an open analysis still uses
 * (`inUse`), it stays *retired but served*: `get` still finds it by id, so the controller's next
 * look of that analysis is judged, not a 404 — a file cut between two SLOs, a rename, a
 * half-finished edit cannot pull an SLO from under a running rollout. It is logged (warn), listed
 * in `status().retired` and reported through `onRetired` (a metric), and dropped once no open
 * analysis uses it.
 */
import { watch, type FSWatcher } from "node:fs";
import { SlogateError } from "../errors.ts";
import type { Problem } from "../slo/problem.ts";
import type { Slo } from "../slo/model.ts";
import type { Logger } from "../domain/verdict-event.ts";
import type { RetiredSlo, SloCatalogStatus, SloLookup } from "../app/ports.ts";
import { sloDirectories, sloFilesFingerprint } from "./load-slos.ts";

export type { RetiredSlo, SloCatalogStatus } from "../app/ports.ts";

/** Loads SLO files (the SLO engineer's `loadSloFiles`). */
export type LoadSlos = (
  paths: readonly string[],
) => Promise<{ readonly slos: readonly Slo[]; readonly problems: readonly Problem[] }>;

export interface SloCatalogOptions {
  readonly paths: readonly string[];
  readonly load: LoadSlos;
  readonly logger: Logger;
  readonly now: () => number;
  readonly onLoad?: (ok: boolean, served: number) => void;
  /** Whether an open analysis uses the SLO (keeps a dropped SLO served). Default: never. */
  readonly inUse?: (sloId: string) => boolean;
  /** Told the retired-but-served SLO ids whenever that set changes (for a metric). */
  readonly onRetired?: (ids: readonly string[]) => void;
  /** What `load` would read, hashed (default `sloFilesFingerprint`). */
  readonly fingerprint?: (paths: readonly string[]) => Promise<string>;
}

/** Options of `watch`. */
export interface WatchOptions {
  /** Quiet time after an event before reloading. Default 300 ms. */
  readonly debounceMs?: number;
  /** Fingerprint poll period (0 disables). Default 2000 ms. */
  readonly pollMs?: number;
  /** Use file-system events (false: polling only). Default true. */
  readonly events?: boolean;
}

/** Holds the served SLOs and reloads them. */
export class SloCatalog implements SloLookup {
  readonly #paths: readonly string[];
  readonly #load: LoadSlos;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #onLoad: (ok: boolean, served: number) => void;
  readonly #inUse: (sloId: string) => boolean;
  readonly #onRetired: (ids: readonly string[]) => void;
  readonly #fingerprint: (paths: readonly string[]) => Promise<string>;
  #slos: readonly Slo[] = [];
  #byId = new Map<string, Slo>();
  #retired = new Map<string, { slo: Slo; since: number }>();
  #status: SloCatalogStatus = {
    valid: false,
    everValid: false,
    lastLoadAt: 0,
    served: 0,
    problems: [],
    loadErrors: 0,
    retired: [],
  };
  #loaded = false;
  #loadedFingerprint: string | undefined;
  #watching: { debounceMs: number; events: boolean } | undefined;
  #watchers = new Map<string, FSWatcher>();
  #timer: NodeJS.Timeout | undefined;
  #poller: NodeJS.Timeout | undefined;
  #polling = false;
  #reloading: Promise<void> = Promise.resolve();

  constructor(options: SloCatalogOptions) {
    this.#paths = options.paths;
    this.#load = options.load;
    this.#logger = options.logger;
    this.#now = options.now;
    this.#onLoad = options.onLoad ?? (() => undefined);
    this.#inUse = options.inUse ?? (() => false);
    this.#onRetired = options.onRetired ?? (() => undefined);
    this.#fingerprint = options.fingerprint ?? sloFilesFingerprint;
  }

  /** A catalog over a fixed list of SLOs (CLI, tests of callers, the demo). */
  static of(slos: readonly Slo[], logger: Logger, now: () => number): SloCatalog {
    const c = new SloCatalog({ paths: [], load: () => Promise.resolve({ slos, problems: [] }), logger, now });
    c.#install(slos);
    c.#status = {
      valid: true,
      everValid: true,
      lastLoadAt: now(),
      lastGoodAt: now(),
      served: slos.length,
      problems: [],
      loadErrors: 0,
      retired: [],
    };
    c.#loaded = true;
    return c;
  }

  #install(slos: readonly Slo[]): void {
    const at = this.#now();
    const next = new Map(slos.map((s) => [s.id, s]));
    let changed = false;
    for (const [id, slo] of this.#byId) {
      if (next.has(id) || this.#retired.has(id) || !this.#inUse(id)) continue;
      this.#retired.set(id, { slo, since: at });
      changed = true;
      this.#logger.warn(
        "SLO disappeared from the files while analyses of it are open; still serving it until they close",
        {
          slo: id,
          file: slo.source.file,
        },
      );
    }
    for (const id of [...this.#retired.keys()]) {
      if (next.has(id)) {
        this.#retired.delete(id);
        changed = true;
      }
    }
    this.#slos = slos;
    this.#byId = next;
    if (this.#prune() || changed) this.#retiredChanged();
  }

  /** Drops retired SLOs no open analysis uses any more; true when some were dropped. */
  #prune(): boolean {
    let dropped = false;
    for (const id of [...this.#retired.keys()]) {
      if (this.#inUse(id)) continue;
      this.#retired.delete(id);
      dropped = true;
      this.#logger.info("retired SLO no longer used by an open analysis; no longer served", { slo: id });
    }
    return dropped;
  }

  #retiredChanged(): void {
    this.#status = { ...this.#status, retired: this.#retiredList() };
    try {
      this.#onRetired([...this.#retired.keys()]);
    } catch {
      // an observer must never break the catalog
    }
  }

  #retiredList(): RetiredSlo[] {
    return [...this.#retired].map(([id, r]) => ({ id, since: r.since }));
  }

  /** (Re)loads the files. Never throws: problems are recorded in `status()`. */
  reload(): Promise<void> {
    this.#reloading = this.#reloading.then(() => this.#reloadOnce());
    return this.#reloading;
  }

  async #reloadOnce(): Promise<void> {
    const at = this.#now();
    let slos: readonly Slo[] = [];
    let problems: readonly Problem[];
    // Taken before reading: a change made during the load shows up at the next poll.
    this.#loadedFingerprint = await this.#fingerprint(this.#paths).catch(() => undefined);
    try {
      const r = await this.#load(this.#paths);
      slos = r.slos;
      problems = r.problems;
    } catch (e) {
      const err = e as { code?: unknown; message?: string; hint?: string };
      problems = [
        {
          file: this.#paths.join(","),
          line: 0,
          col: 0,
          path: "",
          code: "SLO_INVALID",
          message: err.message ?? String(e),
          hint: err.hint ?? "check the SLO files",
          severity: "error",
        },
      ];
    }
    const errors = problems.filter((p) => p.severity === "error");
    const ok = errors.length === 0;
    const first = !this.#loaded;
    if (ok || first) {
      this.#install(slos);
      this.#loaded = true;
    }
    const everValid = this.#status.everValid || ok;
    this.#status = {
      valid: ok,
      everValid,
      lastLoadAt: at,
      ...(ok
        ? { lastGoodAt: at }
        : this.#status.lastGoodAt === undefined
          ? {}
          : { lastGoodAt: this.#status.lastGoodAt }),
      served: this.#slos.length,
      problems,
      loadErrors: this.#status.loadErrors + (ok ? 0 : 1),
      retired: this.#retiredList(),
    };
    this.#onLoad(ok, this.#slos.length);
    const listed = errors.slice(0, 20).map((p) => `${p.file}:${p.line}:${p.col} ${p.path} ${p.message}`);
    if (ok) this.#logger.info("SLOs loaded", { served: this.#slos.length, warnings: problems.length });
    else if (!everValid) {
      this.#logger.error(
        first
          ? "SLO files have errors at the first load: there is no good version to fall back on; serving only the valid SLOs found"
          : "SLO files still have errors and no load was ever clean: serving only the valid SLOs of the first load",
        { served: this.#slos.length, problems: listed },
      );
    } else {
      this.#logger.error("SLO files have errors; serving the last good version", {
        served: this.#slos.length,
        problems: listed,
      });
    }
    if (this.#watching !== undefined) this.#arm();
  }

  /**
   * Watches the paths: file-system events on every directory read (re-armed after each
   * reload) and a fingerprint poll as the fallback; reloads (debounced) when the files changed.
   */
  watch(options: WatchOptions | number = {}): void {
    const o = typeof options === "number" ? { debounceMs: options } : options;
    this.#watching = { debounceMs: o.debounceMs ?? 300, events: o.events ?? true };
    this.#arm();
    const pollMs = o.pollMs ?? 2000;
    if (pollMs > 0) {
      this.#poller = setInterval(() => void this.#poll(), pollMs);
      this.#poller.unref();
    }
  }

  #schedule(): void {
    const w = this.#watching;
    if (w === undefined) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#reloadIfChanged();
    }, w.debounceMs);
    this.#timer.unref();
  }

  async #reloadIfChanged(): Promise<void> {
    const fp = await this.#fingerprint(this.#paths).catch(() => undefined);
    if (fp !== undefined && fp === this.#loadedFingerprint) {
      // Nothing a load would read changed (an editor's swap file, a touch), but watchers may
      // point at replaced directories: re-arm them.
      this.#arm();
      return;
    }
    await this.reload();
  }

  async #poll(): Promise<void> {
    if (this.#polling || this.#watching === undefined) return;
    this.#polling = true;
    try {
      // Retired SLOs whose analyses closed are dropped even when nothing reloads.
      if (this.#prune()) this.#retiredChanged();
      const fp = await this.#fingerprint(this.#paths).catch(() => undefined);
      if (fp !== this.#loadedFingerprint) await this.reload();
    } finally {
      this.#polling = false;
    }
  }

  /** (Re-)creates one watcher per directory read, closing those no longer needed. */
  #arm(): void {
    const w = this.#watching;
    if (w === undefined || !w.events) return;
    const dirs = new Set(sloDirectories(this.#paths));
    for (const [dir, watcher] of this.#watchers) {
      watcher.close();
      this.#watchers.delete(dir);
    }
    for (const dir of dirs) {
      try {
        const watcher = watch(dir, { persistent: false }, () => this.#schedule());
        watcher.on("error", (e) => {
          this.#logger.warn("SLO watch failed; the poll still sees changes", { path: dir, error: e });
          watcher.close();
          this.#watchers.delete(dir);
        });
        this.#watchers.set(dir, watcher);
      } catch (e) {
        this.#logger.warn("cannot watch SLO directory; the poll still sees changes", {
          path: dir,
          error: e as Error,
        });
      }
    }
  }

  /** Stops watching and polling. */
  close(): void {
    this.#watching = undefined;
    for (const w of this.#watchers.values()) w.close();
    this.#watchers.clear();
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    if (this.#poller !== undefined) clearInterval(this.#poller);
    this.#timer = undefined;
    this.#poller = undefined;
  }

  /** Served SLOs (without the retired ones). */
  list(): readonly Slo[] {
    return this.#slos;
  }

  status(): SloCatalogStatus {
    return this.#status;
  }

  /**
   * Finds an SLO by id (`<service>-<name>`) or by a name unique among served SLOs; a retired
   * SLO (gone from the files, still used by an open analysis) by its id; SLO_NOT_FOUND otherwise.
   */
  get(ref: string): Slo {
    const byId = this.#byId.get(ref);
    if (byId !== undefined) return byId;
    const byName = this.#slos.filter((s) => s.name === ref);
    if (byName.length === 1) return byName[0]!;
    const retired = this.#retired.get(ref);
    if (retired !== undefined && byName.length === 0) {
      if (this.#inUse(ref)) return retired.slo;
      this.#retired.delete(ref);
      this.#retiredChanged();
    }
    throw new SlogateError(
      "SLO_NOT_FOUND",
      byName.length > 1
        ? `SLO name ${JSON.stringify(ref)} is ambiguous (${byName.map((s) => s.id).join(", ")})`
        : `no SLO ${JSON.stringify(ref.slice(0, 200))}`,
      {
        hint: `use an SLO id from GET /api/v1/slos${this.#slos.length > 0 ? ` (e.g. ${this.#slos[0]!.id})` : ""}`,
      },
    );
  }
}
