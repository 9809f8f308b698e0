"""The report's stylesheet: inline, system fonts only, so the file opens offline."""

STYLE = """
:root {
  --ink: #1b1f24; --muted: #57606a; --faint: #8c959f; --line: #d8dee4;
  --bg: #f3f4f6; --card: #ffffff;
  --green: #1a7f37; --green-bg: #dafbe1;
  --amber: #b35c00; --amber-bar: #e09b1a; --amber-bg: #fff1c7;
  --red: #cf222e; --red-bg: #ffe3e0;
  --grey: #6e7781; --grey-bg: #eaeef2;
  --blue: #0b57d0; --violet: #6639ba;
}
* { box-sizing: border-box; }
:root { color-scheme: light; }
html { font-size: 18px; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body {
  margin: 0; background: var(--bg); color: var(--ink);
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
    "Noto Sans", "Liberation Sans", sans-serif;
  line-height: 1.4; font-variant-numeric: tabular-nums;
}
.report { max-width: 1760px; margin: 0 auto; padding: 1.6rem 2rem 3rem; }
h1, h2, h3 { line-height: 1.2; margin: 0; overflow-wrap: anywhere; }
code { font-family: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas,
  monospace; font-size: 0.85em; color: var(--muted); overflow-wrap: anywhere; }
a { color: inherit; text-decoration: none; }
a:hover { text-decoration: underline; }

/* status colours: one place */
.status-on_track { --st: var(--green); --st-bg: var(--green-bg); --st-bar: var(--green); }
.status-at_risk { --st: var(--amber); --st-bg: var(--amber-bg); --st-bar: var(--amber-bar); }
.status-off_track { --st: var(--red); --st-bg: var(--red-bg); --st-bar: var(--red); }
.status-closed, .status-not_started, .status-no_data {
  --st: var(--grey); --st-bg: var(--grey-bg); --st-bar: var(--grey); }
.pill { display: inline-block; padding: 0.15em 0.75em; border-radius: 999px;
  background: var(--st-bg, var(--grey-bg)); color: var(--st, var(--grey));
  font-weight: 700; font-size: 0.8rem; text-transform: uppercase; letter-spacing: 0.04em;
  white-space: nowrap; border: 1px solid currentColor; }

/* header */
.top { display: flex; flex-wrap: wrap; gap: 1rem 2rem; align-items: flex-end;
  justify-content: space-between; padding-bottom: 1.2rem; margin-bottom: 1.4rem;
  border-bottom: 3px solid var(--ink); }
h1 { font-size: 2.4rem; letter-spacing: -0.01em; }
.asof { margin: 0.3rem 0 0; color: var(--muted); font-size: 1.1rem; }
.summary { text-align: right; }
.totals { margin: 0 0 0.4rem; color: var(--muted); }
.chips { display: flex; flex-wrap: wrap; gap: 0.5rem; justify-content: flex-end; }
.chip { padding: 0.35rem 0.9rem; border-radius: 0.5rem; background: var(--st-bg);
  color: var(--st); font-weight: 600; font-size: 1.05rem; border: 1px solid var(--st); }
.chip b { font-size: 1.4rem; margin-right: 0.2rem; }

/* overview */
.section-title { font-size: 1.1rem; text-transform: uppercase; letter-spacing: 0.06em;
  color: var(--muted); margin-bottom: 0.5rem; }
.overview { background: var(--card); border: 1px solid var(--line); border-radius: 0.75rem;
  padding: 1rem 1.2rem; margin-bottom: 2rem; }
.overview table { width: 100%; border-collapse: collapse; }
.overview th { text-align: left; font-size: 0.8rem; color: var(--muted); font-weight: 600;
  text-transform: uppercase; letter-spacing: 0.04em; padding: 0.3rem 0.6rem;
  border-bottom: 1px solid var(--line); }
.overview td { padding: 0.55rem 0.6rem; border-bottom: 1px solid var(--grey-bg);
  vertical-align: middle; }
.overview tr:last-child td { border-bottom: 0; }
.overview .name { font-weight: 600; font-size: 1.05rem; overflow-wrap: anywhere; }
.overview .bar-cell { width: 34%; }
.overview .num, th.num { text-align: right; font-weight: 700; white-space: nowrap; }
.dots { white-space: nowrap; }
.dot { display: inline-block; width: 0.85rem; height: 0.85rem; border-radius: 50%;
  background: var(--st-bar); margin-right: 0.25rem; }

/* objectives */
.objective { background: var(--card); border: 1px solid var(--line);
  border-left: 0.5rem solid var(--st-bar); border-radius: 0.75rem;
  padding: 1.2rem 1.4rem 1.4rem; margin: 0 0 1.6rem; }
.aligned { margin: 1.4rem 0 0 1.2rem; padding-left: 1.2rem;
  border-left: 2px dashed var(--line); }
.aligned::before { content: "Aligned objectives"; display: block; color: var(--muted);
  font-size: 0.8rem; text-transform: uppercase; letter-spacing: 0.06em; margin-bottom: 0.6rem; }
.aligned .objective { background: #fbfbfc; }
.obj-head { display: flex; gap: 1.5rem; justify-content: space-between; align-items: flex-start; }
.obj-head h2 { font-size: 1.7rem; }
.obj-score { display: flex; align-items: center; gap: 0.8rem; white-space: nowrap; }
.score { font-size: 2.4rem; font-weight: 800; color: var(--st); line-height: 1; }
.meta { margin: 0.3rem 0 0; color: var(--muted); font-size: 0.9rem; }
.tag { padding: 0 0.45em; border-radius: 0.3rem; font-weight: 600; font-size: 0.85em; }
.tag.stretch { background: #ede4fb; color: var(--violet); }
.tag.down { background: #e3ecfb; color: var(--blue); }
.empty { color: var(--muted); font-style: italic; margin: 0.8rem 0 0; }

/* progress bars */
.progress-row { display: flex; align-items: center; gap: 0.8rem; margin: 0.8rem 0 0; }
.progress-row .bar { flex: 1; }
.bar { position: relative; height: 0.9rem; background: var(--grey-bg); border-radius: 999px; }
.overview .bar { height: 0.75rem; }
.fill { position: absolute; left: 0; top: 0; bottom: 0; border-radius: 999px;
  background: var(--st-bar); min-width: 0.25rem; }
.fill.beyond { background-image: repeating-linear-gradient(135deg, transparent 0 6px,
  rgba(255, 255, 255, 0.45) 6px 12px); }
.expected-mark { position: absolute; top: -0.3rem; bottom: -0.3rem; width: 3px;
  margin-left: -1.5px; background: var(--ink); border-radius: 2px; }
.pct { font-weight: 800; font-size: 1.3rem; min-width: 3.2rem; text-align: right; }
.exp { color: var(--muted); font-size: 0.85rem; white-space: nowrap; }

/* key results */
.kr-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 560px), 1fr));
  gap: 1.1rem; margin-top: 1.2rem; }
.kr { border: 1px solid var(--line); border-top: 0.35rem solid var(--st-bar);
  border-radius: 0.6rem; padding: 0.9rem 1.1rem 0.7rem; background: var(--card);
  display: flex; flex-direction: column; min-width: 0; }
.kr-head { display: flex; justify-content: space-between; align-items: flex-start; gap: 0.8rem; }
/* a title past three lines is cut on screen (the full text is in the tooltip and in print) */
.kr-title { font-size: 1.25rem; display: -webkit-box; -webkit-box-orient: vertical;
  -webkit-line-clamp: 3; line-clamp: 3; overflow: hidden; }
.numbers { display: flex; align-items: baseline; flex-wrap: wrap; gap: 0.2rem 1rem;
  margin-top: 0.6rem; }
.value { font-size: 2rem; font-weight: 800; }
.value.no-data { color: var(--grey); font-style: italic; font-weight: 600; }
.range { color: var(--muted); }
.range b { color: var(--ink); }
.override { margin-top: 0.7rem; padding: 0.5rem 0.7rem; border-radius: 0.4rem;
  background: #f4effc; border: 1px solid #cdb9f0; color: #3b1f73; }
.override .badge { background: var(--violet); color: #fff; border-radius: 0.3rem;
  padding: 0.05em 0.45em; font-size: 0.8rem; font-weight: 700; text-transform: uppercase; }
.override .computed { margin-left: 0.6rem; color: var(--muted); font-size: 0.9rem; }
.override .reason { display: block; margin-top: 0.25rem; font-style: italic;
  overflow-wrap: anywhere; }
.closed-cycle { margin-top: 1.5rem; background: var(--card); border-radius: 0.6rem;
  padding: 0.8rem 1rem; }
.closed-cycle table { width: 100%; border-collapse: collapse; font-size: 0.9rem; }
.closed-cycle td, .closed-cycle th { padding: 0.2rem 0.4rem; text-align: left; }
.closed-cycle .num { text-align: right; }
.closed-cycle tr.drifted td { background: var(--amber-bg); }
.insights { margin-top: 1.5rem; background: var(--card); border-radius: 0.6rem;
  padding: 0.8rem 1rem; }
.insights table { width: 100%; border-collapse: collapse; font-size: 0.9rem; }
.insights td, .insights th { padding: 0.2rem 0.4rem; text-align: left; }
.insights .num { text-align: right; }
.insight-charts { display: flex; flex-wrap: wrap; gap: 1rem; }
.insight-charts figure { margin: 0.6rem 0 0; width: 320px; }
.insight-charts figcaption { color: var(--muted); font-size: 0.8rem; }
.insights .cal { fill: none; stroke: var(--blue); stroke-width: 2; }
.insights circle.cal { fill: var(--blue); }
.insights .calibrated, .insights .zero { stroke: var(--faint); stroke-dasharray: 4 3; }
.insights .bias.over { fill: var(--red); }
.insights .bias.under { fill: var(--green); }
.forecast { margin-top: 0.7rem; padding: 0.45rem 0.7rem; border-radius: 0.4rem;
  border-left: 4px solid var(--grey); background: var(--grey-bg); font-size: 0.95rem; }
.forecast .how { display: block; color: var(--muted); font-size: 0.85rem; }
.forecast-likely { border-color: var(--green); background: var(--green-bg); }
.forecast-at_risk { border-color: var(--amber); background: var(--amber-bg); }
.forecast-unlikely { border-color: var(--red); background: var(--red-bg); }
.warnings { margin: 0.7rem 0 0; padding: 0.4rem 0.7rem 0.4rem 1.9rem; list-style: none;
  background: var(--amber-bg); border-radius: 0.4rem; color: #6b3a00; font-size: 0.9rem; }
.warnings li { position: relative; overflow-wrap: anywhere; }
.warnings li::before { content: "⚠"; position: absolute; left: -1.3rem; }

/* charts */
/* charts sit at the same height in every card of a row, whatever the text above */
.trend { margin: auto 0 0; padding-top: 0.8rem; }
.chart { width: 100%; height: auto; display: block; overflow: visible; }
.chart text { font-size: 14px; fill: var(--muted); }
.chart .grid { stroke: #eceff2; stroke-width: 1; }
.chart .axis { stroke: var(--faint); stroke-width: 1; }
.chart .axis-unit { font-weight: 600; }
.chart .expected { fill: none; stroke: var(--faint); stroke-width: 2; stroke-dasharray: 7 5; }
.chart .target { stroke: var(--green); stroke-width: 1.5; stroke-dasharray: 2 4; }
.chart .target-label { fill: var(--green); font-weight: 700; }
.chart .today { stroke: var(--violet); stroke-width: 1.5; }
.chart .today-label { fill: var(--violet); font-weight: 700; }
.chart .series { fill: none; stroke: var(--blue); stroke-width: 2.5; stroke-linejoin: round;
  stroke-linecap: round; }
.chart .pt-run { fill: var(--blue); stroke: #fff; stroke-width: 1.5; }
.chart .pt-backfill { fill: #fff; stroke: var(--blue); stroke-width: 1.3; }
.chart .pt-now { fill: var(--st); stroke: #fff; stroke-width: 2.5; }
.no-history, .chart-note { color: var(--muted); font-style: italic; }
.no-history { padding: 2rem 1rem; text-align: center; border: 1px dashed var(--line);
  border-radius: 0.5rem; }
.chart-note { margin: 0.2rem 0 0; font-size: 0.85rem; }
.legend { display: flex; flex-wrap: wrap; align-items: center; gap: 0.2rem 0.5rem;
  color: var(--muted); font-size: 0.8rem; margin-top: 0.2rem; }
.swatch { display: inline-block; width: 0.7rem; height: 0.7rem; margin-left: 0.5rem; }
.k-run { border-radius: 50%; background: var(--blue); }
.k-backfill { border-radius: 50%; border: 1.5px solid var(--blue); background: #fff; }
.k-expected { width: 1.4rem; height: 0; border-top: 2px dashed var(--faint); }
.k-target { width: 1.4rem; height: 0; border-top: 2px dotted var(--green); }
.plan-arc { display: flex; flex-wrap: wrap; gap: 0.5rem; margin: 0.6rem 0; }
.arc-cycle, .arc-plan { display: flex; flex-direction: column; align-items: flex-start;
  gap: 0.15rem; border: 1px solid var(--line); border-radius: 0.4rem;
  padding: 0.3rem 0.6rem; min-width: 6.5rem; }
.arc-plan { border-width: 2px; }
.arc-label { color: var(--muted); font-size: 0.8rem; }
.arc-score { font-weight: 700; font-size: 1.1rem; }
.kr-cycles { list-style: none; margin: 0.3rem 0; padding: 0; font-size: 0.85rem;
  color: var(--muted); }
.kr-cycles b { color: var(--ink); }
.k-cycle-target { width: 1.4rem; height: 0; border-top: 2px solid var(--green); }
.k-forecast { width: 1.4rem; background: var(--violet); opacity: 0.18; }
.k-forecast-p50 { width: 1.4rem; height: 0; border-top: 2px dashed var(--violet); }
.chart .forecast-band { fill: var(--violet); opacity: 0.18; }
.chart .forecast-p50 { fill: none; stroke: var(--violet); stroke-width: 1.8;
  stroke-dasharray: 5 3; }
.chart .cycle-boundary { stroke: var(--faint); stroke-width: 1.2; stroke-dasharray: 2 3; }
.chart .cycle-target { stroke: var(--green); stroke-width: 1.6; opacity: 0.7; }
.chart .cycle-label { fill: var(--muted); font-size: 10px; }

/* evidence */
.evidence { margin-top: 0.7rem; border-top: 1px solid var(--grey-bg); padding-top: 0.5rem; }
.evidence summary { cursor: pointer; color: var(--muted); font-weight: 600; }
.counts { display: flex; flex-wrap: wrap; gap: 0.3rem; margin: 0.5rem 0; font-size: 0.8rem; }
.count { background: var(--grey-bg); border-radius: 0.3rem; padding: 0.05rem 0.45rem;
  color: var(--muted); }
.count b { color: var(--ink); }
.evidence table { width: 100%; border-collapse: collapse; font-size: 0.85rem; }
.evidence th { text-align: left; color: var(--muted); font-weight: 600;
  border-bottom: 1px solid var(--line); padding: 0.25rem 0.4rem; }
.evidence td { border-bottom: 1px solid var(--grey-bg); padding: 0.25rem 0.4rem;
  vertical-align: top; }
.evidence td.num { text-align: right; }
.evidence .key { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace;
  white-space: nowrap; }
.evidence .note { overflow-wrap: anywhere; color: var(--muted); }
.evidence .source { color: var(--muted); }
.evidence a, .warnings .links a { color: inherit; }
.warnings .links a { margin-right: 0.5rem; font-size: 0.85em; }
.evidence .state { white-space: nowrap; }
.evidence .done { text-align: center; }
.cat { display: inline-block; width: 0.55rem; height: 0.55rem; border-radius: 50%;
  margin-right: 0.35rem; background: var(--faint); }
.cat-done { background: var(--green); }
.cat-in_progress { background: var(--blue); }
.more { color: var(--muted); font-style: italic; margin: 0.4rem 0 0; }
footer { color: var(--faint); font-size: 0.85rem; margin-top: 2rem; text-align: center; }

@media (max-width: 760px) {
  html { font-size: 16px; }
  .report { padding: 1rem; }
  .obj-head { flex-direction: column; }
  .summary { text-align: left; }
  .chips { justify-content: flex-start; }
}
@media print {
  html { font-size: 12px; }
  body { background: #fff; }
  .report { max-width: none; padding: 0; }
  .objective, .overview { border-color: #bbb; }
  .kr, .overview, .obj-head { break-inside: avoid; }
  .kr-grid { grid-template-columns: repeat(2, minmax(0, 1fr)); }
  .kr-title { display: block; overflow: visible; }
  a { text-decoration: none; }
}
"""
