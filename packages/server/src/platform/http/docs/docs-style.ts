/**
 * @module platform/http/docs/docs-style
 *
 * The reference page's stylesheet, served from `/docs/docs.css` under `style-src 'self'`. Long
 * paths, patterns and examples wrap inside their own box (`overflow-wrap: anywhere`, fixed-layout
 * tables, `pre-wrap`), so the page never scrolls sideways, from 360 px phones to desktops.
 * Colours meet WCAG 2.2 AA contrast on white; focus is always visible. On narrow screens a field
 * row puts its name on a line of its own, above its type and description.
 */
export const DOCS_STYLESHEET = `*,*::before,*::after{box-sizing:border-box}
[hidden]{display:none!important}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1a1a1a;background:#fff}
.page{max-width:72rem;margin:0 auto;padding:0 1rem 4rem}
a{color:#0645ad}
a:focus-visible,input:focus-visible,summary:focus-visible{outline:3px solid #1a5fb4;outline-offset:2px}
.skip{position:absolute;left:-100vw}
.skip:focus{position:static;display:inline-block;margin:.5rem 0}
h1{font-size:2rem;line-height:1.2;margin:1.5rem 0 .5rem}
h2{font-size:1.5rem;margin:2.5rem 0 .75rem;padding-bottom:.25rem;border-bottom:2px solid #1a1a1a}
h3{font-size:1.15rem;margin:0 0 .5rem}
h4{font-size:1rem;margin:1.25rem 0 .5rem}
h5{font-size:.95rem;margin:1rem 0 .25rem}
.version{font-size:1rem;font-weight:normal;color:#4a4a4a}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em}
code{overflow-wrap:anywhere}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f3f3f3;border:1px solid #d0d0d0;border-radius:4px;padding:.75rem;margin:.5rem 0}
p,li,dd,td{overflow-wrap:break-word}
nav ul{display:flex;flex-wrap:wrap;gap:.25rem 1.25rem;padding:0;list-style:none}
.search{background:#fff;padding:.75rem 0;border-bottom:1px solid #d0d0d0}
.search label{display:block;font-weight:600}
.search input{width:100%;max-width:32rem;font:inherit;padding:.4rem .5rem;border:1px solid #6b6b6b;border-radius:4px}
.search p{margin:.25rem 0 0;color:#4a4a4a}
.index{list-style:none;padding:0;margin:0 0 1.5rem}
.index li{padding:.15rem 0}
.method{display:inline-block;min-width:4.2em;padding:0 .35em;border-radius:3px;color:#fff;background:#3d3d3d;font:600 .8rem/1.6 ui-monospace,monospace;text-align:center;vertical-align:.1em}
.method-get{background:#0b5394}.method-post{background:#1d6322}.method-put{background:#7a4500}.method-patch{background:#5e2a84}.method-delete{background:#a11a1a}
.operation{border-top:1px solid #c8c8c8;padding:1.25rem 0 .5rem}
.operation h3 a{color:inherit;text-decoration:none}
.operation h3 a:hover .path{text-decoration:underline}
.summary{font-weight:600;margin:.25rem 0}
.contract{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:.75rem 0}
.contract div{display:contents}
.contract dt{font-weight:600}
.contract dd{margin:0;min-width:0}
table{width:100%;border-collapse:collapse;table-layout:fixed;margin:.5rem 0}
th,td{text-align:left;vertical-align:top;padding:.35rem .4rem;border-bottom:1px solid #d0d0d0;overflow-wrap:anywhere}
thead th{border-bottom:2px solid #6b6b6b}
.fields th:nth-child(1){width:32%}.fields th:nth-child(2){width:30%}
.params th:nth-child(1){width:24%}.params th:nth-child(2){width:12%}.params th:nth-child(3){width:28%}
.fields td.d1{padding-left:1.2rem}.fields td.d2{padding-left:2rem}.fields td.d3{padding-left:2.8rem}.fields td.d4{padding-left:3.6rem}
.parent{color:#555}
.required{font-size:.8rem;font-weight:600;color:#8a1c1c;white-space:nowrap}
.constraints{margin:.2rem 0 0;padding-left:1.1rem;font-size:.875rem}
.schema-type{margin:.25rem 0}
.codes{padding-left:1.25rem}
.status{font-weight:600}
.note{font-size:.9rem;color:#4a4a4a}
summary{cursor:pointer;font-weight:600;margin:.5rem 0}
.error{border-top:1px solid #d0d0d0;padding:.5rem 0}
.error h4{margin:0 0 .25rem}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
@media (min-width:40.01rem){
.search{position:sticky;top:0;z-index:1}
[id]{scroll-margin-top:8.5rem}
}
@media (max-width:40rem){
.fields thead,.params thead{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%)}
.fields tr,.params tr{display:grid;grid-template-columns:minmax(0,2fr) minmax(0,3fr);border-bottom:1px solid #d0d0d0}
.params tr{grid-template-columns:minmax(0,1fr) minmax(0,2fr) minmax(0,2fr)}
.fields td,.params td{border:0}
.fields td:first-child,.params td:first-child{grid-column:1/-1;padding-bottom:0}
h1{font-size:1.6rem}
.contract{grid-template-columns:1fr}
.contract dd{margin-bottom:.35rem}
th,td{padding:.3rem .25rem;font-size:.875rem}
.fields td.d1,.fields td.d2,.fields td.d3,.fields td.d4{padding-left:.6rem}
}
`;
