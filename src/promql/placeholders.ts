/**
 * @module promql/placeholders
 * The `{{.window}}` / `{{.selector}}` placeholders of SLO query templates (Sloth-compatible
 * Go-template spelling): finding them, reading a template, and substituting values with a map
 * of offsets back to the template text for error messages. Pure.
 */
import type { QueryTemplate } from "./query-template.ts";

/** Any `{{ ... }}` action, as Go templates spell them. */
const ACTION = /\{\{-?\s*([^{}]*?)\s*-?\}\}/g;
const WINDOW = /^\.window$/;
const SELECTOR = /^\.selector$/;

/** The window used when a template is checked without a real window. */
export const CHECK_WINDOW = "5m";

/** One `{{ ... }}` placeholder found in a template. */
export interface Placeholder {
  /** What is inside the braces, trimmed (`.window`). */
  readonly name: string;
  /** Offset of the opening `{{` in the template text. */
  readonly offset: number;
  readonly length: number;
  readonly known: boolean;
}

/** Lists every `{{ ... }}` placeholder of a template, known or not. */
export function findPlaceholders(text: string): Placeholder[] {
  const out: Placeholder[] = [];
  for (const m of text.matchAll(ACTION)) {
    const name = m[1] ?? "";
    out.push({
      name,
      offset: m.index,
      length: m[0].length,
      known: WINDOW.test(name) || SELECTOR.test(name),
    });
  }
  return out;
}

/** Reads a query template: keeps the text and records which placeholders it uses. */
export function parseQueryTemplate(text: string): QueryTemplate {
  const ps = findPlaceholders(text);
  return {
    text,
    hasWindow: ps.some((p) => WINDOW.test(p.name)),
    hasSelector: ps.some((p) => SELECTOR.test(p.name)),
  };
}

/**
 * Substitutes placeholders and returns a function mapping offsets in the result back to
 * offsets in the template (a position inside a substituted value maps to its placeholder).
 */
export function substitute(
  text: string,
  window: string,
  selector: string,
): { text: string; toTemplateOffset: (offset: number) => number } {
  const spans: { outFrom: number; outTo: number; inFrom: number; inTo: number }[] = [];
  let out = "";
  let last = 0;
  for (const p of findPlaceholders(text)) {
    if (!p.known) continue;
    out += text.slice(last, p.offset);
    const value = WINDOW.test(p.name) ? window : selector;
    spans.push({
      outFrom: out.length,
      outTo: out.length + value.length,
      inFrom: p.offset,
      inTo: p.offset + p.length,
    });
    out += value;
    last = p.offset + p.length;
  }
  out += text.slice(last);
  const toTemplateOffset = (offset: number): number => {
    let shift = 0;
    for (const s of spans) {
      if (offset < s.outFrom) break;
      if (offset < s.outTo) return s.inFrom;
      shift = s.inTo - s.outTo;
    }
    return offset + shift;
  };
  return { text: out, toTemplateOffset };
}
