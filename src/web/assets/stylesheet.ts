// The stylesheet of the setup pages, served as /assets/style.css.
// Kept as a module so it ships inside the compiled code (no src/ at run time). Plain text between the
// backticks: no backticks, backslashes or dollar-brace in it.
export const STYLESHEET = `/* mailconfig setup pages. Phone first; colours of the accent come from theme.css (branding), which also sets the
   background palette of both schemes from src/web/color.ts (LIGHT_BACKGROUNDS, DARK_BACKGROUNDS): every background
   below is one of those variables, so the accent is checked against all of them. */
:root {
  color-scheme: light dark;
  --accent: #1c5d99;
  --accent-text: #ffffff;
  --link: #1c5d99;
  --text: #1b1f24;
  --muted: #4a5561;
  --bg: #f4f6f8;
  --card: #ffffff;
  --line: #d3dae1;
  --warn-bg: #fff6dd;
  --warn-line: #d9a400;
  --note-bg: #eaf2fb;
  --value-bg: #eef1f4;
  --alert-bg: #fde8e6;
  --error: #b3261e;
  --input-line: #68737e;
  --radius: 10px;
  --mono: ui-monospace, "SF Mono", "Cascadia Mono", "DejaVu Sans Mono", Menlo, Consolas, monospace;
}

@media screen and (prefers-color-scheme: dark) {
  :root {
    --text: #e6e9ed;
    --muted: #aeb8c2;
    --bg: #14171b;
    --card: #1d2127;
    --line: #3a424c;
    --warn-bg: #2e2713;
    --warn-line: #b38a00;
    --note-bg: #17222f;
    --value-bg: #262b32;
    --alert-bg: #3a1a17;
    --error: #ff8a80;
    --input-line: #8a96a3;
  }
}

*, *::before, *::after { box-sizing: border-box; }

html { -webkit-text-size-adjust: 100%; }

body {
  margin: 0;
  font: 1rem/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial, sans-serif;
  color: var(--text);
  background: var(--bg);
  overflow-wrap: break-word;
}

.wrap { max-width: 68rem; margin: 0 auto; padding: 0 1rem; }

a { color: var(--link); text-underline-offset: 0.15em; }
a:hover { text-decoration-thickness: 2px; }

:focus-visible { outline: 3px solid var(--link); outline-offset: 2px; border-radius: 3px; }
main:focus { outline: none; }

.skip {
  position: absolute; left: 0.5rem; top: -4rem; z-index: 10;
  background: var(--card); color: var(--link); padding: 0.5rem 0.75rem; border-radius: var(--radius);
}
.skip:focus { top: 0.5rem; }

.visually-hidden {
  position: absolute !important; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; border: 0;
}

/* Header and footer */
header.site { background: var(--accent); color: var(--accent-text); }
.site-bar { display: flex; flex-wrap: nowrap; align-items: center; justify-content: space-between; gap: 0.5rem; padding-block: 0.5rem; }
.brand { display: inline-flex; align-items: center; gap: 0.6rem; min-width: 0; color: inherit; text-decoration: none; font-weight: 700; font-size: 1.05rem; }
.brand span { line-height: 1.2; overflow-wrap: break-word; }
@media (max-width: 39.99rem) { .brand { font-size: 0.98rem; } }
.brand img { height: 32px; width: auto; max-width: 10rem; }
.langs { flex: none; }
.langs ul { display: flex; gap: 0.15rem; margin: 0; padding: 0; list-style: none; font-size: 0.92rem; }
.langs a {
  display: inline-block; padding: 0.25rem 0.55rem; border-radius: 999px; color: inherit; text-decoration: none;
  border: 1px solid transparent;
}
.langs a[aria-current="true"] { border-color: currentColor; font-weight: 600; }
.langs a:hover { text-decoration: underline; }
header.site :focus-visible { outline-color: var(--accent-text); }

footer.site { margin-top: 3rem; padding-block: 1.25rem 2rem; border-top: 1px solid var(--line); color: var(--muted); font-size: 0.9rem; }
footer.site p { margin: 0.25rem 0; }

/* Text */
main { padding-top: 0.75rem; }
h1 { font-size: 1.45rem; line-height: 1.25; margin: 0.25rem 0 0.25rem; overflow-wrap: break-word; }
h2 { font-size: 1.25rem; line-height: 1.3; margin: 2rem 0 0.75rem; }
h3 { font-size: 1.05rem; line-height: 1.3; margin: 0; }
h4 { font-size: 1rem; margin: 1.25rem 0 0.25rem; }
.lead { font-size: 1.08rem; max-width: 42rem; }
.note { color: var(--muted); }
.detail { color: var(--muted); font-size: 0.9rem; overflow-wrap: anywhere; }
code { font-family: var(--mono); font-size: 0.95em; overflow-wrap: anywhere; }
/* Host names break after a dot only (src/web/pages/layout.ts hostName): a label with a hyphen stays whole. */
.nb { white-space: nowrap; }
.prose { max-width: 42rem; }
.points { padding-left: 1.25rem; }
.points li { margin: 0.3rem 0; }
ul.plain { list-style: none; margin: 0; padding: 0; }
ul.plain > li + li { margin-top: 0.75rem; border-top: 1px solid var(--warn-line); padding-top: 0.75rem; }
ul.plain p { margin: 0.25rem 0; }

/* Panels and the form */
.panel { background: var(--card); border: 1px solid var(--line); border-radius: var(--radius); padding: 1rem; margin: 1.25rem 0; }
.panel h2 { margin-top: 0; }
.lookup label { display: block; font-weight: 600; }
.lookup .hint { margin: 0.1rem 0 0.5rem; color: var(--muted); font-size: 0.92rem; }
.lookup-row { display: flex; flex-wrap: wrap; gap: 0.5rem; }
.lookup input {
  flex: 1 1 14rem; min-width: 0; font: inherit; padding: 0.6rem 0.75rem;
  border: 2px solid var(--input-line); border-radius: 8px; background: var(--card); color: var(--text);
}
.lookup input[aria-invalid="true"] { border-color: var(--error); }
.field-error { color: var(--error); font-weight: 600; margin: 0.25rem 0 0.5rem; }
button, .button {
  display: inline-block; font: inherit; font-weight: 600; cursor: pointer; text-decoration: none; text-align: center;
  background: var(--accent); color: var(--accent-text); border: 2px solid var(--accent); border-radius: 8px;
  padding: 0.6rem 1.1rem;
}
button:hover, .button:hover { filter: brightness(1.08); }
button.secondary, button.copy { background: var(--card); color: var(--link); border-color: var(--line); }
button[hidden] { display: none; }

/* Settings page */
.page-head { display: flex; flex-wrap: wrap; align-items: baseline; gap: 0 1rem; }
.page-head h1 { flex: 1 1 100%; }
.provider { margin: 0; color: var(--muted); font-weight: 600; }
.print-button { margin-left: auto; padding: 0.35rem 0.8rem; font-size: 0.9rem; }
.print-row { margin: 1.5rem 0 0; }
.print-row .print-button { margin-left: 0; }
/* Phones: the print button at the end, where nothing else needs the room. */
@media (max-width: 39.99rem) { .print-top { display: none; } }
@media (min-width: 40rem) { .print-end { display: none; } }
.print-only { display: none; }
.page-head + .lead { margin: 0.25rem 0; font-size: 1rem; }
.summary { margin: 0.25rem 0 0.5rem; font-size: 0.95rem; color: var(--muted); }
.summary code { color: var(--text); }
.summary .nowrap-any { display: inline-block; max-width: 100%; overflow-wrap: anywhere; }
.alert { background: var(--alert-bg); border: 1px solid var(--error); border-left-width: 5px; border-radius: 6px; padding: 0.5rem 0.8rem; margin: 0.5rem 0; }
.alert p { margin: 0; }
.suggestion { font-size: 1.1rem; }
.support { margin: 1rem 0; }

.notice { background: var(--warn-bg); border: 1px solid var(--warn-line); border-radius: var(--radius); padding: 0.9rem 1rem; margin: 1.25rem 0; }
.notice h2 { margin: 0 0 0.5rem; font-size: 1.1rem; }
.instruction { font-weight: 600; }

.cards { margin-top: 0.5rem; }
.card-grid { display: grid; gap: 1rem; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: var(--radius); padding: 0.6rem 0.9rem 0.75rem; min-width: 0; }
.card-recommended, .card-only { border: 2px solid var(--accent); }
.card h3 { display: flex; flex-wrap: wrap; align-items: center; gap: 0.4rem 0.6rem; }
.badge { font-size: 0.78rem; font-weight: 700; letter-spacing: 0.02em; padding: 0.1rem 0.55rem; border-radius: 999px; border: 1px solid var(--line); color: var(--muted); background: var(--card); }
.badge-recommended { background: var(--accent); color: var(--accent-text); border-color: var(--accent); }
.why { margin: 0.4rem 0 0; color: var(--muted); font-size: 0.92rem; }
.security-hint { margin: 0.3rem 0 0; color: var(--muted); font-size: 0.88rem; }
.fields { margin: 0; }
.fields { display: grid; grid-template-columns: max-content minmax(0, 1fr); }
.fields > div { display: grid; grid-column: 1 / -1; grid-template-columns: subgrid; gap: 0.1rem 0.5rem; align-items: baseline; padding: 0.35rem 0; border-top: 1px solid var(--line); }
.fields dt { font-size: 0.82rem; color: var(--muted); font-weight: 600; }
.fields dd { margin: 0; display: flex; flex-wrap: wrap; align-items: center; gap: 0.25rem 0.4rem; min-width: 0; }
.fields .value { font-size: 1.02rem; font-weight: 600; background: var(--value-bg); padding: 0.05rem 0.35rem; border-radius: 5px; overflow-wrap: break-word; }
.fields .hint { flex-basis: 100%; color: var(--muted); font-size: 0.88rem; }
.placeholder-value em { font-style: italic; }
.security-none { color: var(--error); }
button.copy { padding: 0.1rem 0.45rem; font-size: 0.78rem; font-weight: 600; border-radius: 6px; }
.alternatives { margin: 0.6rem 0 0; font-size: 0.92rem; color: var(--muted); }
.check { background: var(--warn-bg); border-left: 4px solid var(--warn-line); padding: 0.4rem 0.6rem; margin: 0.6rem 0 0; }

.warnings ul { list-style: none; padding: 0; margin: 0; display: grid; gap: 0.75rem; }
.warnings li { background: var(--card); border: 1px solid var(--line); border-left: 4px solid var(--warn-line); border-radius: 6px; padding: 0.7rem 0.9rem; }
.warnings li strong { display: block; margin-bottom: 0.15rem; }
@media (min-width: 40rem) { .warnings ul { grid-template-columns: repeat(2, minmax(0, 1fr)); } }

.more-pop3 { margin: 1rem 0 0; }
.more-pop3 > summary { cursor: pointer; font-weight: 600; color: var(--link); padding: 0.4rem 0; }
.more-pop3 > .card { margin-top: 0.5rem; }
.chooser p { margin: 0 0 0.4rem; font-weight: 600; }
.chooser ul { display: flex; flex-wrap: wrap; gap: 0.4rem; margin: 0 0 1rem; padding: 0; list-style: none; }
.chooser a { display: inline-block; padding: 0.3rem 0.7rem; border: 1px solid var(--line); border-radius: 999px; background: var(--card); text-decoration: none; font-size: 0.92rem; }
.chooser a[aria-current="true"] { border-color: var(--link); font-weight: 700; }
.chooser a:hover { text-decoration: underline; }
.trouble-list > div { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 0.6rem 0.9rem; margin: 0.5rem 0; }
.trouble-list dt { font-weight: 700; }
.trouble-list dd { margin: 0.15rem 0 0; }
.link-lang { color: var(--muted); font-size: 0.9em; }
.brand-links a { color: var(--link); }
.clients details { background: var(--card); border: 1px solid var(--line); border-radius: var(--radius); margin: 0.5rem 0; }
.clients summary { cursor: pointer; padding: 0.8rem 1rem; list-style: none; display: flex; align-items: baseline; gap: 0.75rem; }
.clients summary::-webkit-details-marker { display: none; }
/* Our own disclosure arrow, inside the box (the default marker sits outside on narrow screens). */
.clients summary::before {
  content: ""; flex: none; width: 0.5rem; height: 0.5rem; position: relative; top: -0.15rem;
  border-right: 2px solid currentColor; border-bottom: 2px solid currentColor; transform: rotate(-45deg);
}
.clients details[open] > summary::before { transform: rotate(45deg); }
.clients summary h3 { font-size: 1.02rem; }
.clients summary:hover h3 { text-decoration: underline; }
.clients details[open] summary { border-bottom: 1px solid var(--line); }
.client-body { padding: 0.25rem 1rem 1rem; }
.client-body ol { padding-left: 1.3rem; }
.client-body li { margin: 0.35rem 0; }

.profile { display: flex; flex-wrap: wrap; align-items: center; gap: 1rem 1.5rem; margin: 0.75rem 0; }
.profile p { margin: 0; }
.qr-block { display: flex; align-items: center; gap: 0.75rem; margin: 0; max-width: 26rem; }
.qr { width: 132px; height: 132px; flex: none; border: 1px solid var(--line); border-radius: 6px; }
.qr-block figcaption { font-size: 0.9rem; color: var(--muted); }

.source ul, .docs ul, .steps { padding-left: 1.25rem; }

.table-scroll { overflow-x: auto; }
table.ports { border-collapse: collapse; margin: 0.75rem 0; min-width: 18rem; background: var(--card); }
table.ports caption { text-align: left; font-weight: 600; padding-bottom: 0.3rem; }
table.ports th, table.ports td { border: 1px solid var(--line); padding: 0.35rem 0.75rem; text-align: left; }
table.ports td { font-family: var(--mono); }

@media (min-width: 40rem) {
  h1 { font-size: 1.9rem; }
  .panel { padding: 1.25rem 1.5rem; }
}

@media (min-width: 64rem) {
  .card-grid { grid-template-columns: repeat(2, minmax(0, 1fr)); }
}

@media (prefers-reduced-motion: no-preference) {
  html { scroll-behavior: smooth; }
}

/* Print: the settings on one page, nothing interactive, nothing a printout cannot use. */
@media print {
  @page { size: A4; margin: 1.2cm; }
  :root { color-scheme: light; --text: #000; --muted: #000; --bg: #fff; --card: #fff; --line: #000; --value-bg: #fff; --warn-bg: #fff; --alert-bg: #fff; --link: #000; --error: #000; }
  body { background: #fff; color: #000; font-size: 9.5pt; line-height: 1.35; }
  .wrap { max-width: none; padding: 0; }
  header.site { background: none; color: #000; border-bottom: 1px solid #000; }
  .site-bar { padding-block: 0 0.2rem; }
  .langs, .skip, .no-print, .lookup, button, .lead, .summary, .why, .security-hint, .fields .hint { display: none !important; }
  .print-only { display: block; }
  main { padding-top: 0.3rem; }
  h1 { font-size: 15pt; margin: 0.2rem 0; }
  h2 { font-size: 11.5pt; margin: 0.6rem 0 0.25rem; }
  h3 { font-size: 10.5pt; }
  .card-grid { grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 0.3cm; }
  .more-pop3 > summary { display: none; }
  .card { break-inside: avoid; padding: 0.25cm; border: 1px solid #000; }
  .card-recommended, .card-only { border-width: 2px; }
  /* Label and value on one line: half the height of the screen layout; values never wrap. */
  .fields > div { display: block; padding: 0.12rem 0; }
  .fields dt { display: inline; font-size: 8.5pt; color: #000; }
  .fields dt::after { content: ": "; }
  .fields dd { display: inline; }
  .fields .value, .fields strong { font-size: 10pt; background: none; padding: 0; }
  .fields .value, .fields code, .nb { white-space: nowrap; }
  .alternatives { font-size: 8.5pt; color: #000; }
  .badge { border-color: #000; color: #000; background: none; }
  .notice, .alert { background: none; border: 1px solid #000; padding: 0.2cm 0.3cm; margin: 0.3rem 0; }
  .notice h2 { font-size: 10.5pt; margin-bottom: 0.1rem; }
  ul.plain > li + li { margin-top: 0.3rem; padding-top: 0.3rem; border-top-color: #000; }
  /* Of the notes, only the never-mix warning is printed. */
  .warnings h2 { display: none; }
  .warnings li { display: none; }
  .warnings li.keep-print { display: block; border: 1px solid #000; padding: 0.15cm 0.3cm; font-size: 8.5pt; margin-top: 0.3rem; }
  .source, .source .detail { font-size: 8.5pt; }
  .source h2 { font-size: 10pt; }
  a { color: #000; }
  /* A printout cannot be clicked: print where links lead. */
  a[href^="http"]::after, a[href^="mailto:"]::after { content: " <" attr(href) ">"; font-size: 8pt; overflow-wrap: anywhere; }
  footer.site { margin-top: 0.4rem; border-top: 1px solid #000; padding: 0.2rem 0 0; font-size: 8pt; }
  .printed-at .page-url { overflow-wrap: anywhere; }
}
`;
