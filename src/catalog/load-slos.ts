/**
 * @module catalog/load-slos
 * Reads SLO files from disk — files and directories (recursively, `.yaml`/`.yml`) — and
 * parses them together, so OpenSLO references resolve across files and duplicate SLO ids
 * across files are reported. Files too large, not UTF-8 or unreadable become problems; the
 * good files are still loaded. The thin I/O shell around `parseSloDocuments`.
 * `sloFilesFingerprint` hashes what a load would read (which files, their bytes) so a watcher
 * can tell a real change from noise, and `sloDirectories` lists the directories to watch.
 */
import { createHash } from "node:crypto";
import { readdirSync, statSync } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { ServiceSlos, Slo } from "../slo/model.ts";
import { parseSloDocuments, type SloSourceText } from "../slo/parse-slo-documents.ts";
import type { Problem } from "../slo/problem.ts";
import { sortProblems } from "../slo/problem.ts";
import { MAX_SLO_FILE_CHARS } from "../slo/yaml-source.ts";

/** The result of loading SLO files: what converted, and every problem found. */
export interface LoadedSlos {
  readonly services: ServiceSlos[];
  readonly slos: Slo[];
  readonly problems: Problem[];
}

const SLO_FILE = /\.ya?ml$/i;
/** Bytes read at most per file; larger files are refused without being read. */
const MAX_BYTES = MAX_SLO_FILE_CHARS;

/** Loads every SLO file under `paths` (files or directories). */
export async function loadSloFiles(paths: readonly string[]): Promise<LoadedSlos> {
  const problems: Problem[] = [];
  const files: string[] = [];
  for (const p of paths) await collect(p, true, files, problems);
  const sources: SloSourceText[] = [];
  for (const file of [...new Set(files)]) {
    const text = await readText(file, problems);
    if (text !== undefined) sources.push({ file, text });
  }
  const parsed = parseSloDocuments(sources);
  return {
    services: parsed.services,
    slos: parsed.slos,
    problems: sortProblems([...problems, ...parsed.problems]),
  };
}

/**
 * A hash of what `loadSloFiles(paths)` would read now: the files found and their bytes (a
 * symlink flip, an in-place write, a rename-save, an added or removed file all change it).
 */
export async function sloFilesFingerprint(paths: readonly string[]): Promise<string> {
  const problems: Problem[] = [];
  const files: string[] = [];
  for (const p of paths) await collect(p, true, files, problems);
  const h = createHash("sha256");
  for (const file of [...new Set(files)]) {
    h.update(file).update("\u0000");
    try {
      const st = await stat(file);
      if (st.size > MAX_BYTES) h.update(`size ${st.size} ${st.mtimeMs}`);
      else h.update(await readFile(file));
    } catch (e) {
      h.update(`error ${(e as NodeJS.ErrnoException).code ?? ""}`);
    }
    h.update("\u0000");
  }
  for (const p of problems) h.update(`${p.file} ${p.message}\u0000`);
  return h.digest("hex");
}

/** The directories to watch for `paths`: every directory read (or holding a file named). Sync: a few stats. */
export function sloDirectories(paths: readonly string[]): string[] {
  const out = new Set<string>();
  const walk = (dir: string): void => {
    out.add(dir);
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) if (e.isDirectory() && !e.name.startsWith(".")) walk(join(dir, e.name));
  };
  for (const p of paths) {
    let isDir = false;
    try {
      isDir = statSync(p).isDirectory();
    } catch {
      // a missing path: watch where it would appear
    }
    if (isDir) walk(p);
    else out.add(dirname(p));
  }
  return [...out];
}

async function collect(path: string, explicit: boolean, out: string[], problems: Problem[]): Promise<void> {
  let st;
  try {
    st = await stat(path);
  } catch (e) {
    problems.push(
      fileProblem(
        path,
        explicit ? "SLO_NOT_FOUND" : "SLO_INVALID",
        `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
        "check the path",
      ),
    );
    return;
  }
  if (st.isFile()) {
    // A file named explicitly is read whatever its extension.
    if (explicit || SLO_FILE.test(path)) out.push(path);
    return;
  }
  if (!st.isDirectory()) {
    if (explicit)
      problems.push(
        fileProblem(
          path,
          "SLO_INVALID",
          `${path} is neither a file nor a directory`,
          "pass SLO files or directories",
        ),
      );
    return;
  }
  let entries;
  try {
    entries = await readdir(path, { withFileTypes: true });
  } catch (e) {
    problems.push(
      fileProblem(
        path,
        "SLO_INVALID",
        `cannot list ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
        "check the directory's permissions",
      ),
    );
    return;
  }
  const before = out.length;
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith(".")) continue;
    const child = join(path, entry.name);
    // Symbolic links to directories are not followed (no loops); links to files are read.
    if (entry.isDirectory()) await collect(child, false, out, problems);
    else if ((entry.isFile() || entry.isSymbolicLink()) && SLO_FILE.test(entry.name)) {
      const s = await stat(child).catch(() => undefined);
      if (s?.isFile() === true) out.push(child);
    }
  }
  if (explicit && out.length === before) {
    problems.push(
      fileProblem(
        path,
        "SLO_NOT_FOUND",
        `no .yaml or .yml files in ${path}`,
        "point at the directory holding the SLO files",
      ),
    );
  }
}

async function readText(file: string, problems: Problem[]): Promise<string | undefined> {
  try {
    const st = await stat(file);
    if (st.size > MAX_BYTES) {
      problems.push(
        fileProblem(
          file,
          "SLO_INVALID",
          `file is too large (${formatBytes(st.size)}; the limit is ${formatBytes(MAX_BYTES)})`,
          "an SLO file holds a few SLOs and is a few kilobytes; split it or check that this is the right file",
          true,
        ),
      );
      return undefined;
    }
    // Invalid UTF-8 decodes to U+FFFD, which the parser reports with its line and column.
    return new TextDecoder("utf-8").decode(await readFile(file));
  } catch (e) {
    problems.push(
      fileProblem(
        file,
        "SLO_INVALID",
        `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
        "check the file's permissions",
      ),
    );
    return undefined;
  }
}

/** A problem with a whole file: at 1:1 when the file exists (`inFile`), else without a position. */
function fileProblem(
  file: string,
  code: Problem["code"],
  message: string,
  hint: string,
  inFile = false,
): Problem {
  const at = inFile ? 1 : 0;
  return { file, line: at, col: at, path: "", code, message, hint, severity: "error" };
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : `${Math.ceil(n / 1024)} KiB`;
}
