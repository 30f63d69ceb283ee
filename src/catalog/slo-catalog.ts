/**
 * @module catalog/slo-catalog
 * The SLOs the service serves. Loaded at start and reloaded when a file changes; a reload
 * that finds errors is reported (log, `/api/v1/slos`, metric) and the last good version keeps
 * serving. On the very first load the valid SLOs found are served even if others fail.
 */
import { statSync, watch, type FSWatcher } from "node:fs";
import { basename, dirname } from "node:path";
import { SlogateError } from "../errors.ts";
import type { Problem } from "../slo/problem.ts";
import type { Slo } from "../slo/model.ts";
import type { Logger } from "../domain/verdict-event.ts";
import type { SloCatalogStatus, SloLookup } from "../app/ports.ts";

export type { SloCatalogStatus } from "../app/ports.ts";

/** Loads SLO files (the SLO engineer's `loadSloFiles`). */
export type LoadSlos = (
  paths: readonly string[],
) => Promise<{ readonly slos: readonly Slo[]; readonly problems: readonly Problem[] }>;

/** Holds the served SLOs and reloads them. */
export class SloCatalog implements SloLookup {
  readonly #paths: readonly string[];
  readonly #load: LoadSlos;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #onLoad: (ok: boolean, served: number) => void;
  #slos: readonly Slo[] = [];
  #byId = new Map<string, Slo>();
  #status: SloCatalogStatus = { valid: false, lastLoadAt: 0, served: 0, problems: [], loadErrors: 0 };
  #loaded = false;
  #watchers: FSWatcher[] = [];
  #timer: NodeJS.Timeout | undefined;
  #reloading: Promise<void> = Promise.resolve();

  constructor(options: {
    paths: readonly string[];
    load: LoadSlos;
    logger: Logger;
    now: () => number;
    onLoad?: (ok: boolean, served: number) => void;
  }) {
    this.#paths = options.paths;
    this.#load = options.load;
    this.#logger = options.logger;
    this.#now = options.now;
    this.#onLoad = options.onLoad ?? (() => undefined);
  }

  /** A catalog over a fixed list of SLOs (CLI, tests of callers, the demo). */
  static of(slos: readonly Slo[], logger: Logger, now: () => number): SloCatalog {
    const c = new SloCatalog({ paths: [], load: () => Promise.resolve({ slos, problems: [] }), logger, now });
    c.#install(slos);
    c.#status = {
      valid: true,
      lastLoadAt: now(),
      lastGoodAt: now(),
      served: slos.length,
      problems: [],
      loadErrors: 0,
    };
    c.#loaded = true;
    return c;
  }

  #install(slos: readonly Slo[]): void {
    this.#slos = slos;
    this.#byId = new Map(slos.map((s) => [s.id, s]));
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
    if (ok || !this.#loaded) {
      this.#install(slos);
      this.#loaded = true;
    }
    this.#status = {
      valid: ok,
      lastLoadAt: at,
      ...(ok
        ? { lastGoodAt: at }
        : this.#status.lastGoodAt === undefined
          ? {}
          : { lastGoodAt: this.#status.lastGoodAt }),
      served: this.#slos.length,
      problems,
      loadErrors: this.#status.loadErrors + (ok ? 0 : 1),
    };
    this.#onLoad(ok, this.#slos.length);
    if (ok) this.#logger.info("SLOs loaded", { served: this.#slos.length, warnings: problems.length });
    else {
      this.#logger.error("SLO files have errors; serving the last good version", {
        served: this.#slos.length,
        problems: errors.slice(0, 20).map((p) => `${p.file}:${p.line}:${p.col} ${p.path} ${p.message}`),
      });
    }
  }

  /**
   * Watches the paths and reloads (debounced) on any change. Directories are watched
   * recursively; a file is watched through its directory, so editors that save by renaming
   * a new file over the old one are seen too.
   */
  watch(debounceMs = 300): void {
    const schedule = (): void => {
      if (this.#timer !== undefined) clearTimeout(this.#timer);
      this.#timer = setTimeout(() => void this.reload(), debounceMs);
    };
    for (const path of this.#paths) {
      try {
        const isDir = statSync(path).isDirectory();
        const w = isDir
          ? watch(path, { recursive: true }, schedule)
          : watch(dirname(path), (_event, name) => {
              if (name === null || name === basename(path)) schedule();
            });
        w.on("error", (e) => this.#logger.warn("SLO watch failed", { path, error: e }));
        this.#watchers.push(w);
      } catch (e) {
        this.#logger.warn("cannot watch SLO path; changes need a restart", { path, error: e as Error });
      }
    }
  }

  /** Stops watching. */
  close(): void {
    for (const w of this.#watchers) w.close();
    this.#watchers = [];
    if (this.#timer !== undefined) clearTimeout(this.#timer);
  }

  /** Served SLOs. */
  list(): readonly Slo[] {
    return this.#slos;
  }

  status(): SloCatalogStatus {
    return this.#status;
  }

  /** Finds an SLO by id (`<service>-<name>`) or by a name unique among served SLOs; SLO_NOT_FOUND otherwise. */
  get(ref: string): Slo {
    const byId = this.#byId.get(ref);
    if (byId !== undefined) return byId;
    const byName = this.#slos.filter((s) => s.name === ref);
    if (byName.length === 1) return byName[0]!;
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
