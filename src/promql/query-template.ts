/**
 * @module promql/query-template
 * The PromQL query template type that SLO files carry and the PromQL builders render.
 */

/**
 * A PromQL query template. Placeholders (Sloth-compatible Go-template spelling):
 * - `{{.window}}`   the range, e.g. `5m` or `3600s`;
 * - `{{.selector}}` the arm's label matchers, comma-separated, to be put inside `{...}`
 *   (an empty selector renders as nothing; PromQL accepts the trailing comma this may leave).
 * A template without `{{.selector}}` gets the arm's matchers injected into every vector
 * selector of its parsed PromQL (see `./template.ts`).
 */
export interface QueryTemplate {
  readonly text: string;
  readonly hasWindow: boolean;
  readonly hasSelector: boolean;
}
