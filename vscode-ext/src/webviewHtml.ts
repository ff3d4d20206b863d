// The HTML of the DAG view: a pure function of where the page script lives, so the same page
// runs in a VS Code webview and, in the browser test, in headless Chromium. Nothing is ever
// fetched from the network: the Content-Security-Policy allows the page's own script (by
// nonce and source), inline styles and images from the webview's own origin only.
import { randomBytes } from 'crypto';
import { LEGEND, PALETTE } from './dagview';

export interface WebviewHtmlOptions {
  /** URL of dist/webview.js as the page sees it (webview.asWebviewUri) */
  scriptUri: string;
  /** webview.cspSource: the origin local resources are served from */
  cspSource: string;
  nonce: string;
  title?: string;
}

export function makeNonce(): string {
  return randomBytes(18).toString('base64').replace(/[^A-Za-z0-9]/g, '');
}

/** For text and double-quoted attributes (a CSP keeps its single quotes). */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]!));
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}' ${cspSource}`,
    `style-src ${cspSource} 'unsafe-inline'`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
  ].join('; ');
}

const STYLE = `
:root { color-scheme: light dark; }
body { margin: 0; padding: 0; font-family: var(--vscode-font-family, sans-serif); font-size: 13px;
  color: var(--vscode-foreground, #222); background: var(--vscode-editor-background, #fff); }
header { position: sticky; top: 0; z-index: 2; padding: 6px 10px; display: flex; flex-wrap: wrap; gap: 6px 16px;
  align-items: center; background: var(--vscode-editor-background, #fff);
  border-bottom: 1px solid var(--vscode-panel-border, #ccc); }
header label { display: inline-flex; align-items: center; gap: 4px; cursor: pointer; }
#summary { font-weight: 600; }
#note, #error { padding: 4px 10px; }
#error { color: var(--vscode-errorForeground, #c62828); }
#note { opacity: .8; font-style: italic; }
[hidden] { display: none !important; }
#legend { display: flex; flex-wrap: wrap; gap: 4px 12px; padding: 4px 10px; font-size: 12px; }
#legend .item { display: inline-flex; align-items: center; gap: 4px; }
#legend .swatch { width: 14px; height: 12px; border-radius: 4px; display: inline-block; border: 1px solid #0003; }
#legend .swatch.box { border-radius: 0; }
#legend .swatch.double { outline: 1px solid currentColor; outline-offset: 1px; }
#graph { padding: 4px; overflow: auto; }
#graph svg { display: block; }
#empty { padding: 16px; opacity: .8; }
.node { cursor: pointer; }
.node:focus { outline: none; }
.node:focus .frame, .node.selected .frame { stroke: var(--vscode-focusBorder, #007acc); stroke-width: 3; }
.node .frame { stroke: #0006; stroke-width: 1; }
.node .inner { fill: none; stroke-width: 1.2; }
.node .name { font-size: 12px; font-weight: 600; }
.node .label { font-size: 10px; opacity: .9; }
.node.dim { opacity: .45; }
.prove rect { fill: #ffffff; stroke: #0008; }
.prove text { fill: #0d47a1; font-size: 11px; font-weight: 600; }
.prove:hover rect { fill: #e3f2fd; }
.badge circle { stroke: #fff; stroke-width: 1.5; }
.badge text { font-size: 11px; font-weight: 700; fill: #fff; }
.edge { fill: none; stroke: var(--vscode-editorWidget-border, #777); stroke-width: 1.3; }
.edge.hl { stroke: var(--vscode-focusBorder, #007acc); stroke-width: 2.2; }
#arrow path { fill: var(--vscode-editorWidget-border, #777); }
`;

/** The legend, drawn in the page's HTML so it is there before any DAG arrives. */
export function legendHtml(): string {
  const items = LEGEND.map((l) =>
    `<span class="item" data-category="${l.category}"><span class="swatch${l.category === 'definition' ? ' box' : ''}" style="background:${PALETTE[l.category]}"></span>${escapeHtml(l.text)}</span>`);
  items.push('<span class="item"><span class="swatch double" style="background:transparent"></span>theorem (double border)</span>');
  items.push('<span class="item"><span class="swatch" style="background:#c62828;border-radius:50%"></span>review findings</span>');
  items.push('<span class="item"><span class="swatch" style="background:#757575;border-radius:50%"></span>findings dismissed</span>');
  return `<div id="legend">${items.join('')}</div>`;
}

export function webviewHtml(o: WebviewHtmlOptions): string {
  const title = escapeHtml(o.title ?? 'Blueprint DAG');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(contentSecurityPolicy(o.cspSource, o.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
  <span id="summary">Waiting for the DAG…</span>
  <label><input type="checkbox" id="f-unproved"> only unproved</label>
  <label>show <select id="f-scope">
    <option value="all">all nodes</option>
    <option value="ancestors">ancestors of the selected node</option>
    <option value="descendants">descendants of the selected node</option>
  </select></label>
  <label><input type="checkbox" id="f-fit" checked> fit to width</label>
  <button id="refresh" type="button" title="Fetch the DAG again">Refresh</button>
  <span id="selected"></span>
</header>
${legendHtml()}
<div id="note" hidden></div>
<div id="error" hidden></div>
<div id="empty" hidden></div>
<div id="graph"></div>
<script nonce="${escapeHtml(o.nonce)}" src="${escapeHtml(o.scriptUri)}"></script>
</body>
</html>
`;
}
