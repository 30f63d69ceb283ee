/**
 * @module slo/yaml-source
 * Reads SLO file text into YAML documents with hard limits (size, alias expansion, nesting)
 * and keeps what is needed to point at a node: `file:line:col` from a YAML path, and the exact
 * source text of scalars so a PromQL error can be placed inside the file. Pure.
 */
import { isMap, isNode, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, visit } from "yaml";
import type { Document, Node as YamlNode } from "yaml";
import type { Problem, YamlPath } from "./problem.ts";

/**
 * Largest SLO file accepted, in characters. Real SLO files are a few kilobytes; the cap bounds
 * the parse time of adversarial input (about 5 s for 512 KiB of nested flow collections).
 */
export const MAX_SLO_FILE_CHARS = 512 * 1024;
/** Alias expansions allowed per document (YAML "billion laughs" protection). */
export const MAX_ALIAS_COUNT = 100;
/** Deepest indentation accepted, in columns: deep block nesting overflows the YAML reader's stack. */
export const MAX_INDENT = 200;
/** Deepest flow-collection nesting accepted; SLO files need about ten levels. */
export const MAX_NESTING = 64;

/** A 1-based position in a file. */
export interface Position {
  readonly line: number;
  readonly col: number;
}

/** One YAML document of a file, as plain data plus position lookups. */
export interface YamlDocument {
  readonly file: string;
  /** 0-based index of the document in a multi-document file. */
  readonly index: number;
  readonly value: unknown;
  /** Position of the node at `path` (the key itself when `onKey`); nearest ancestor if absent. */
  position(path: YamlPath, onKey?: boolean): Position;
  /**
   * Position of character `offset` of the string value at `path`, found by aligning the
   * value with its source text (plain, quoted and block scalars); the scalar's start otherwise.
   */
  positionInScalar(path: YamlPath, offset: number): Position;
}

/** Result of reading a file's text. */
export interface YamlReadResult {
  readonly documents: YamlDocument[];
  readonly problems: Problem[];
}

/** Reads every YAML document in `text`; syntax errors and limit violations become problems. */
export function readYamlDocuments(text: string, file: string): YamlReadResult {
  const problems: Problem[] = [];
  const fileProblem = (message: string, hint: string, pos: Position = { line: 0, col: 0 }): void => {
    problems.push({ file, ...pos, path: "", code: "SLO_INVALID", message, hint, severity: "error" });
  };
  if (text.length > MAX_SLO_FILE_CHARS) {
    fileProblem(
      `file is too large (${text.length} characters; the limit is ${MAX_SLO_FILE_CHARS})`,
      "an SLO file holds a few SLOs and is a few kilobytes; split it or check that this is the right file",
      { line: 1, col: 1 },
    );
    return { documents: [], problems };
  }
  const binaryAt = binaryOffset(text);
  if (binaryAt !== undefined) {
    fileProblem(
      "file is not text (NUL, control or invalid UTF-8 bytes)",
      "SLO files are UTF-8 YAML; check that this is the right file",
      positionOf(text, binaryAt),
    );
    return { documents: [], problems };
  }
  if (text.trim() === "") {
    fileProblem("file is empty", "write at least one SLO document (see docs/slo-format.md)", {
      line: 1,
      col: 1,
    });
    return { documents: [], problems };
  }
  const deepAt = tooDeepOffset(text, MAX_NESTING);
  if (deepAt !== undefined) {
    fileProblem(
      `file nests deeper than ${MAX_NESTING} levels`,
      "SLO files need about ten levels of nesting; check that this is the right file",
      positionOf(text, deepAt),
    );
    return { documents: [], problems };
  }
  const indentAt = tooIndentedOffset(text, MAX_INDENT);
  if (indentAt !== undefined) {
    fileProblem(
      `file is indented deeper than ${MAX_INDENT} columns`,
      "SLO files need about ten levels of nesting; check that this is the right file",
      positionOf(text, indentAt),
    );
    return { documents: [], problems };
  }
  const lc = new LineCounter();
  let docs: Document.Parsed[];
  try {
    docs = parseAllDocuments(text, {
      lineCounter: lc,
      prettyErrors: false,
      // Duplicate keys are found below with a Set: the library's own check is quadratic.
      uniqueKeys: false,
    }) as Document.Parsed[];
  } catch (e) {
    fileProblem(`YAML could not be read: ${(e as Error).message}`, "check the YAML syntax");
    return { documents: [], problems };
  }
  if (!Array.isArray(docs)) docs = [docs];
  const documents: YamlDocument[] = [];
  docs.forEach((doc, index) => {
    const errors = [...doc.errors];
    // A stack overflow inside the YAML reader (absurd nesting) is one problem, not one per level.
    const overflow = errors.find((e) => /call stack/i.test(e.message));
    for (const err of overflow === undefined ? errors.slice(0, 20) : [overflow]) {
      const pos = lc.linePos(err.pos[0]);
      problems.push({
        file,
        line: pos.line,
        col: pos.col,
        path: "",
        code: "SLO_INVALID",
        message:
          overflow !== undefined
            ? "file nests too deeply to be read"
            : `YAML syntax error: ${firstLine(err.message)}`,
        hint:
          overflow !== undefined
            ? "SLO files need about ten levels of nesting; check that this is the right file"
            : "fix the YAML syntax at this position",
        severity: "error",
      });
    }
    if (errors.length > 0) return;
    if (doc.contents === null) return; // an empty document between `---` separators
    const duplicate = firstDuplicateKey(doc);
    if (duplicate !== undefined) {
      const pos = lc.linePos(duplicate.offset);
      problems.push({
        file,
        line: pos.line,
        col: pos.col,
        path: "",
        code: "SLO_INVALID",
        message: `duplicate key ${JSON.stringify(duplicate.key)} in a mapping`,
        hint: "remove or rename one of the keys",
        severity: "error",
      });
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (e) {
      const alias = /alias/i.test((e as Error).message);
      const deep = /call stack/i.test((e as Error).message);
      fileProblem(
        alias
          ? `YAML aliases expand too much (more than ${MAX_ALIAS_COUNT} expansions): refusing a possible YAML bomb`
          : deep
            ? "file nests too deeply to be read"
            : `YAML could not be read: ${(e as Error).message}`,
        alias ? "write the values out instead of nesting aliases" : "check the YAML syntax",
        lc.linePos(alias ? firstAliasOffset(doc) : doc.range[0]),
      );
      return;
    }
    if (value === null || value === undefined) return; // an empty document
    documents.push(makeDocument(file, index, value, doc, lc, text));
  });
  if (documents.length === 0 && problems.length === 0) {
    fileProblem("file is empty", "write at least one SLO document (see docs/slo-format.md)", {
      line: 1,
      col: 1,
    });
  }
  return { documents, problems };
}

function makeDocument(
  file: string,
  index: number,
  value: unknown,
  doc: Document.Parsed,
  lc: LineCounter,
  text: string,
): YamlDocument {
  const start = lc.linePos(doc.contents?.range[0] ?? doc.range[0]);
  const toPos = (offset: number): Position => lc.linePos(offset);
  const find = (path: YamlPath, onKey: boolean): { node: YamlNode | undefined; keyOffset?: number } => {
    let node: unknown = doc.contents;
    let keyOffset: number | undefined;
    let last: YamlNode | undefined = isNode(node) ? node : undefined;
    for (let i = 0; i < path.length; i++) {
      const p = path[i];
      keyOffset = undefined;
      if (isMap(node)) {
        const pair = node.items.find(
          (it) => isPair(it) && isScalar(it.key) && String(it.key.value) === String(p),
        );
        if (pair === undefined) return { node: last };
        if (isNode(pair.key) && pair.key.range) keyOffset = pair.key.range[0];
        node = pair.value;
      } else if (isSeq(node) && typeof p === "number") {
        node = node.items[p];
      } else {
        return { node: last };
      }
      if (isNode(node)) last = node;
      else if (i < path.length - 1 || !onKey) return { node: last };
    }
    return { node: last, ...(onKey && keyOffset !== undefined ? { keyOffset } : {}) };
  };
  return {
    file,
    index,
    value,
    position(path, onKey = false) {
      const { node, keyOffset } = find(path, onKey);
      if (keyOffset !== undefined) return toPos(keyOffset);
      const r = node?.range;
      return r ? toPos(r[0]) : start;
    },
    positionInScalar(path, offset) {
      const { node } = find(path, false);
      if (!isScalar(node) || typeof node.value !== "string" || !node.range) {
        return node?.range ? toPos(node.range[0]) : start;
      }
      const [from, to] = node.range;
      const aligned = alignOffset(node.value, text.slice(from, to), offset);
      return toPos(from + aligned);
    },
  };
}

/**
 * Finds where character `offset` of a scalar's value sits in its source text, walking both and
 * skipping what the source has and the value does not (quotes, indentation, block headers).
 */
function alignOffset(value: string, source: string, offset: number): number {
  // Skip a block scalar header line (`|`, `>-`, ...) or an opening quote.
  let j = 0;
  const header = /^[|>][-+0-9]*[ \t]*(#[^\n]*)?\n/.exec(source);
  if (header !== null) j = header[0].length;
  else if (source.startsWith('"') || source.startsWith("'")) j = 1;
  for (let i = 0; i < value.length && j < source.length; i++) {
    const v = value[i] ?? "";
    while (j < source.length && source[j] !== v && !(isSpace(v) && isSpace(source[j] ?? ""))) j++;
    if (i === offset) return Math.min(j, source.length);
    j++;
  }
  return Math.min(j, source.length);
}

function isSpace(c: string): boolean {
  return c === " " || c === "\n" || c === "\t" || c === "\r";
}

/**
 * Offset of the first NUL, U+FFFD (left by a failed UTF-8 decode) or other control character
 * (tab, CR and LF aside); undefined for text.
 */
function binaryOffset(text: string): number | undefined {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0xfffd || c === 0x7f || (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d)) return i;
  }
  return undefined;
}

/** Offset of the first line indented deeper than `limit` columns; undefined when none is. */
function tooIndentedOffset(text: string, limit: number): number | undefined {
  let lineStart = 0;
  while (lineStart < text.length) {
    let i = lineStart;
    while (i < text.length && (text[i] === " " || text[i] === "\t")) i++;
    if (i - lineStart > limit && i < text.length && text[i] !== "\n") return i;
    const next = text.indexOf("\n", i);
    if (next < 0) break;
    lineStart = next + 1;
  }
  return undefined;
}

/** 1-based line and column of `offset`. */
function positionOf(text: string, offset: number): Position {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return { line, col: offset - start + 1 };
}

/**
 * Offset where flow-collection brackets first nest deeper than `limit` (quoted strings and
 * comments ignored); undefined when they never do. Linear, so huge inputs cannot hang it.
 */
function tooDeepOffset(text: string, limit: number): number | undefined {
  let depth = 0;
  let quote = "";
  let comment = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (comment) {
      if (c === "\n") comment = false;
      continue;
    }
    if (quote !== "") {
      if (c === "\\" && quote === '"') i++;
      else if (c === quote) quote = "";
      continue;
    }
    if (c === "#" && (i === 0 || isSpace(text[i - 1] ?? ""))) comment = true;
    else if (c === '"' || c === "'") {
      // Only a quote that starts a scalar opens a string; apostrophes inside words do not.
      const prev = text[i - 1] ?? " ";
      if (isSpace(prev) || prev === "[" || prev === "{" || prev === "," || prev === ":") quote = c;
    } else if (c === "[" || c === "{") {
      depth++;
      if (depth > limit) return i;
    } else if (c === "]" || c === "}") depth = Math.max(0, depth - 1);
  }
  return undefined;
}

/** The first key repeated within one mapping, with its offset; linear in the document size. */
function firstDuplicateKey(doc: Document.Parsed): { key: string; offset: number } | undefined {
  let found: { key: string; offset: number } | undefined;
  visit(doc, {
    Map(_, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const key = String(pair.key.value);
        if (seen.has(key)) {
          found = { key, offset: pair.key.range?.[0] ?? 0 };
          return visit.BREAK;
        }
        seen.add(key);
      }
      return undefined;
    },
  });
  return found;
}

/** Offset of the first alias (`*name`) of a document; the document start when none. */
function firstAliasOffset(doc: Document.Parsed): number {
  let offset = doc.range[0];
  visit(doc, {
    Alias(_, alias) {
      offset = alias.range?.[0] ?? offset;
      return visit.BREAK;
    },
  });
  return offset;
}

function firstLine(s: string): string {
  return s.split("\n")[0] ?? s;
}
