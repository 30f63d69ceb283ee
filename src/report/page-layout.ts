/**
 * @module report/page-layout
 * The document shell every page shares: one inline stylesheet (no script, no font, no image,
 * no request to anywhere), a skip link and a navigation bar. Pages are readable from 320 px
 * (phones) to wide screens: charts scale with their `viewBox`, wide tables scroll inside
 * their own keyboard-focusable box. Pure.
 */
import { esc } from "./html.ts";

/** Navigation targets; omitted ones are not shown (an offline report has none). */
export interface PageNav {
  readonly analyses?: string;
  readonly slos?: string;
}

const CSS = `
:root{--fg:#1d2125;--muted:#5c6370;--line:#d0d5dc;--bg:#fff;--panel:#f6f7f9;--canary:#d9480f;--stable:#1864ab;--baseline:#5f3dc4;--bound:#c92a2a;--pass:#2b8a3e;--fail:#c92a2a;--inc:#e67700;--nodata:#495057;--focus:#1c7ed6}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--fg);background:var(--bg)}
a{color:#0b5cad}
a:focus-visible,summary:focus-visible,svg:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,.scroll:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.skip{position:absolute;left:-999px;top:0;background:#fff;padding:6px 10px;z-index:2}
.skip:focus{left:8px}
header.top{display:flex;flex-wrap:wrap;gap:4px 18px;align-items:baseline;padding:10px 16px;border-bottom:1px solid var(--line);background:var(--panel)}
header.top .brand{font-weight:700;text-decoration:none;color:var(--fg)}
main{max-width:1160px;margin:0 auto;padding:12px 16px 40px}
h1{font-size:1.45rem;margin:.4rem 0;overflow-wrap:anywhere}
h2{font-size:1.15rem;margin:1.6rem 0 .5rem;border-bottom:1px solid var(--line);padding-bottom:4px}
h3{font-size:1.02rem;margin:1rem 0 .4rem;overflow-wrap:anywhere}
.muted{color:var(--muted)}
.verdict{border-left:6px solid var(--nodata);background:var(--panel);padding:10px 14px;margin:10px 0;border-radius:4px}
.verdict.v-pass{border-color:var(--pass)}.verdict.v-fail{border-color:var(--fail)}.verdict.v-inconclusive{border-color:var(--inc)}
.verdict .headline{font-size:1.15rem;font-weight:600;margin:0 0 4px}
.verdict ul{margin:4px 0 0;padding-left:20px}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:.8rem;font-weight:600;color:#fff;background:var(--nodata);white-space:nowrap}
.b-pass{background:var(--pass)}.b-fail{background:var(--fail)}.b-inconclusive{background:var(--inc)}.b-nodata,.b-none{background:var(--nodata)}
.env{padding:8px 14px;border-radius:4px;margin:6px 0;border:1px solid var(--line)}
.env.degraded{border-color:var(--inc);background:#fff4e6}
.facts{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:4px 16px;margin:8px 0;padding:0}
.facts div{min-width:0;overflow-wrap:anywhere}.facts dt{font-size:.8rem;color:var(--muted)}.facts dd{margin:0}
.grid2{display:grid;grid-template-columns:1fr;gap:12px}
@media (min-width:900px){.grid2{grid-template-columns:1fr 1fr}}
figure.chart{margin:0;padding:8px;border:1px solid var(--line);border-radius:4px;background:#fff;min-width:0}
figure.chart svg{display:block;width:100%;height:auto}
figure.chart .chart-title{margin:0 0 4px;font-weight:600;font-size:.9rem}
figure.chart figcaption{font-size:.82rem;color:var(--muted);margin-top:4px}
.chart-svg text{font-size:14px;fill:var(--muted)}
.chart-svg .grid line{stroke:#e9ecef}.chart-svg .axis{stroke:#adb5bd}
.chart-svg .line{fill:none;stroke-width:2}.chart-svg .err{stroke-width:1.5;opacity:.55;fill:none}
.s-canary .line,.s-canary .err{stroke:var(--canary)}.s-canary .pt,.seg.s-canary{fill:var(--canary)}
.s-stable .line,.s-stable .err{stroke:var(--stable)}.s-stable .pt,.seg.s-stable{fill:var(--stable)}
.s-baseline .line,.s-baseline .err{stroke:var(--baseline)}.s-baseline .pt,.seg.s-baseline{fill:var(--baseline)}
.s-evalue .line{stroke:#212529}.s-evalue .pt{fill:#212529}
.ref line{stroke:var(--bound);stroke-dasharray:6 4;stroke-width:1.5}.ref text{fill:var(--bound)}
.ref-budget line{stroke:#2b8a3e}.ref-budget text{fill:#2b8a3e}.ref-limit line,.ref-baseline line{stroke:#862e9c}.ref-limit text,.ref-baseline text{fill:#862e9c}
.mark line{stroke:var(--fail);stroke-width:1}.mark text{fill:var(--fail)}
.chart-svg .none{font-size:13px}
.key{display:inline-flex;align-items:center;gap:4px;margin-right:10px}.key i{display:inline-block;width:14px;height:4px;background:#212529}
.key.s-canary i{background:var(--canary)}.key.s-stable i{background:var(--stable)}.key.s-baseline i{background:var(--baseline)}
.key i.dash{background:repeating-linear-gradient(90deg,var(--bound) 0 5px,transparent 5px 8px)}
.key.ref-budget i.dash{background:repeating-linear-gradient(90deg,#2b8a3e 0 5px,transparent 5px 8px)}
.key.ref-limit i.dash,.key.ref-baseline i.dash{background:repeating-linear-gradient(90deg,#862e9c 0 5px,transparent 5px 8px)}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;width:100%;font-size:.88rem}
table.wide{min-width:720px}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{background:var(--panel);font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
details{margin:8px 0}summary{cursor:pointer;font-weight:600}
.check{border:1px solid var(--line);border-radius:4px;padding:4px 12px 10px;margin:12px 0}
.links{display:flex;flex-wrap:wrap;gap:6px 16px;padding:0;list-style:none}
form.filters{display:flex;flex-wrap:wrap;gap:8px 12px;align-items:flex-end;margin:8px 0}
form.filters label{display:flex;flex-direction:column;font-size:.82rem;color:var(--muted)}
form.filters input,form.filters select,form.filters button{font:inherit;padding:4px 6px;min-height:34px}
svg.spark{width:120px;height:28px;display:block}
svg.spark .line{fill:none;stroke:#212529;stroke-width:1.5}svg.spark .bound{stroke:var(--bound);stroke-dasharray:3 3}
svg.spark.spark-fail .line{stroke:var(--fail)}svg.spark circle{fill:#212529}svg.spark text{font-size:10px;fill:var(--muted)}
footer{margin-top:30px;font-size:.8rem;color:var(--muted)}
.problem-error{color:var(--fail)}.problem-warning{color:var(--inc)}
`;

/** A full HTML document around `body` (already-escaped markup). */
export function page(title: string, body: string, nav: PageNav = {}): string {
  const links = [
    nav.analyses === undefined ? "" : `<a href="${esc(nav.analyses)}">Analyses</a>`,
    nav.slos === undefined ? "" : `<a href="${esc(nav.slos)}">SLOs</a>`,
  ].filter((x) => x !== "");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top"><span class="brand">slogate</span><nav aria-label="site">${links.join(" ")}</nav></header>
<main id="main">
${body}
</main>
</body>
</html>
`;
}

/** The fixed stylesheet (its hash goes into the pages' Content-Security-Policy). */
export const PAGE_CSS = CSS;

/** A page that explains a refusal or a missing resource: what went wrong and what to do. */
export function messagePage(
  title: string,
  message: string,
  hint: string,
  nav: PageNav = {},
  action?: { readonly href: string; readonly text: string },
): string {
  return page(
    `${title} · slogate`,
    `<h1>${esc(title)}</h1>\n<p class="refusal">${esc(message)}</p>\n${hint === "" ? "" : `<p><strong>What to do:</strong> ${esc(hint)}</p>`}${action === undefined ? "" : `\n<p><a href="${esc(action.href)}">${esc(action.text)}</a></p>`}`,
    nav,
  );
}
