/**
 * The report's stylesheet, inlined in its <head>: the system's own fonts (nothing to fetch),
 * one readable column, tables with tabular figures, plots scaled to the column, and a print
 * layout that keeps figures and tables whole.
 */
export const REPORT_CSS = `
:root {
  color-scheme: light;
  --text: #1b2230; --muted: #5d6676; --rule: #dde1e8; --soft: #f5f7fa;
  --accent: #1f5fbf; --ok: #1c7c43; --bad: #b42318; --skip: #6b7280;
  --sans: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", "Liberation Sans", sans-serif;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: #fff; color: var(--text); font: 15px/1.55 var(--sans); }
main { max-width: 1100px; margin: 0 auto; padding: 2.25rem 1.5rem 3rem; }
h1, h2, h3 { line-height: 1.25; font-weight: 650; }
h1 { font-size: 1.9rem; margin: .1rem 0 .35rem; letter-spacing: -.01em; }
h2 { font-size: 1.3rem; margin: 2.6rem 0 .9rem; padding-bottom: .35rem; border-bottom: 1px solid var(--rule); }
h3 { font-size: 1.05rem; margin: 0 0 .3rem; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
code, pre, .mono { font-family: var(--mono); font-size: .86em; }
.kicker { margin: 0; color: var(--accent); font-size: .78rem; font-weight: 650; letter-spacing: .08em; text-transform: uppercase; }
.description { margin: 0 0 .4rem; max-width: 46rem; }
.meta { margin: 0; color: var(--muted); font-size: .92rem; }
.meta > span + span::before { content: "·"; margin: 0 .5em; color: var(--rule); }
nav.toc { margin: 1.2rem 0 0; font-size: .9rem; }
nav.toc a { margin-right: 1.1rem; }
.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: .75rem; margin: 1.6rem 0 0; }
.figure { padding: .75rem .9rem; border: 1px solid var(--rule); border-radius: 8px; background: var(--soft); }
.figure .label { color: var(--muted); font-size: .78rem; text-transform: uppercase; letter-spacing: .05em; }
.figure .value { font-size: 1.3rem; font-weight: 650; font-variant-numeric: tabular-nums; white-space: nowrap; }
.figure .sub { color: var(--muted); font-size: .82rem; font-variant-numeric: tabular-nums; }
.table-wrap { overflow-x: auto; margin: .6rem 0 1rem; }
table { border-collapse: collapse; font-size: .88rem; font-variant-numeric: tabular-nums; }
th, td { padding: .38rem .6rem; text-align: left; vertical-align: top; border-bottom: 1px solid var(--rule); }
th { font-weight: 600; color: var(--muted); font-size: .8rem; text-transform: uppercase; letter-spacing: .04em; border-bottom-width: 2px; white-space: nowrap; }
td.num, th.num { text-align: right; white-space: nowrap; }
tbody tr:nth-child(even) { background: #fafbfc; }
.status { display: inline-block; padding: .05rem .5rem; border-radius: 999px; font-size: .78rem; font-weight: 600; color: #fff; background: var(--skip); }
.status-ok { background: var(--ok); }
.status-failed { background: var(--bad); }
.run-facts, dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1.2rem; margin: .6rem 0 1rem; font-size: .92rem; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; font-variant-numeric: tabular-nums; }
.sink { margin: 1.4rem 0 2rem; padding: 1.1rem 1.2rem 1.2rem; border: 1px solid var(--rule); border-radius: 10px; }
.sink .pointer { margin-left: .5rem; color: var(--muted); font-weight: 400; font-size: .85rem; font-family: var(--mono); }
.sink-meta { margin: 0 0 .6rem; color: var(--muted); font-size: .9rem; }
.outputs { margin: .2rem 0 .8rem; padding: 0; list-style: none; font-size: .88rem; }
.outputs li { font-family: var(--mono); font-size: .85rem; overflow-wrap: anywhere; }
.outputs li::before { content: "→ "; color: var(--muted); }
.sink > :last-child, .with-plots > div > :last-child { margin-bottom: 0; }
.with-plots { display: grid; grid-template-columns: minmax(0, 760px) minmax(14rem, 1fr); gap: 0 1.6rem; align-items: start; }
.with-plots dl.facts { grid-template-columns: max-content 1fr; margin-top: .8rem; }
figure.plot-figure { margin: .8rem 0 .4rem; max-width: 760px; }
figure.plot-figure .plot { display: block; width: 100%; height: auto; border: 1px solid var(--rule); border-radius: 6px; background: #fff; }
figure.plot-figure figcaption { margin-top: .3rem; color: var(--muted); font-size: .82rem; font-family: var(--mono); overflow-wrap: anywhere; }
.error { margin: .6rem 0; padding: .7rem .9rem; border-left: 4px solid var(--bad); background: #fdf3f2; }
.error code { font-weight: 650; }
pre.spec { margin: .4rem 0; padding: 1rem 1.1rem; background: var(--soft); border: 1px solid var(--rule); border-radius: 8px; overflow-x: auto; line-height: 1.45; }
details.json summary { cursor: pointer; color: var(--muted); font-size: .88rem; }
details.json pre { max-height: 24rem; overflow: auto; padding: .8rem; background: var(--soft); border-radius: 6px; }
ul.messages { padding-left: 1.2rem; font-size: .9rem; }
ul.messages li { margin: .2rem 0; font-family: var(--mono); font-size: .84rem; overflow-wrap: anywhere; }
.none { color: var(--muted); }
.nowrap { white-space: nowrap; }
.top { float: right; font-size: .82rem; font-weight: 400; }
footer { margin-top: 3rem; padding-top: 1rem; border-top: 1px solid var(--rule); color: var(--muted); font-size: .82rem; }
@media (max-width: 1000px) { .with-plots { grid-template-columns: minmax(0, 1fr); } }
@media (max-width: 640px) { main { padding: 1.2rem .9rem; } h1 { font-size: 1.5rem; } }
@media print {
  @page { margin: 14mm 12mm; }
  body { font-size: 10pt; }
  main { max-width: none; padding: 0; }
  nav.toc, .top { display: none; }
  a { color: inherit; }
  h2 { margin-top: 1.4rem; break-after: avoid; }
  h3 { break-after: avoid; }
  .sink, figure.plot-figure, table, .figures, dl.facts { break-inside: avoid; }
  .with-plots { grid-template-columns: minmax(0, 1fr); }
  .figures { grid-template-columns: repeat(auto-fit, minmax(100px, 1fr)); }
  .table-wrap { overflow: visible; }
  table { font-size: 8pt; }
  th, td { padding: .25rem .35rem; }
  th { white-space: normal; }
  td .mono { overflow-wrap: anywhere; }
  .figure, pre.spec, details.json pre { background: none; }
  pre { white-space: pre-wrap; overflow-wrap: anywhere; }
  details.json pre { max-height: none; }
  tbody tr:nth-child(even) { background: none; }
  .status { color: var(--text); background: none; border: 1px solid currentColor; }
}
`;
