// The DAG view's page script (bundled with elkjs into dist/webview.js). It receives the DAG
// as `window.postMessage({type: 'dag', dag})`, lays it out with ELK (layered) and draws SVG
// itself. It talks back through acquireVsCodeApi() when the page runs in VS Code:
// {type:'ready'} once loaded, {type:'jump', name} on a click, {type:'prove', name} from a
// leaf's Prove button. The pure parts (colours, filters, the ELK graph) are src/dagview.ts.
import ELK from 'elkjs/lib/elk.bundled.js';
import type { Dag, DagNode } from '../src/dag';
import {
  Filter, HostMessage, NODE_HEIGHT, PROVE_WIDTH, Scope, canProve, counts, countsText, elkGraph,
  nodeId, nodeStyle, visibleNodes,
} from '../src/dagview';

interface VsCodeApi { postMessage(m: unknown): void; getState(): unknown; setState(s: unknown): void }
declare function acquireVsCodeApi(): VsCodeApi;

const api: VsCodeApi | undefined = typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi() : undefined;
const SVG = 'http://www.w3.org/2000/svg';
const elk = new ELK();

interface State { filter: Filter; fit: boolean }
const saved = (api?.getState() as State | undefined) ?? undefined;
let filter: Filter = saved?.filter ?? { unprovedOnly: false, scope: 'all' };
let fit = saved?.fit ?? true;
let dag: Dag | undefined;
let generation = 0;

function post(m: unknown): void {
  if (api) api.postMessage(m);
  else console.log('marathon-dag:', JSON.stringify(m));
}

function $(id: string): HTMLElement {
  return document.getElementById(id)!;
}

function el<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, parent?: Element): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  parent?.appendChild(e);
  return e;
}

function saveState(): void {
  api?.setState({ filter, fit } satisfies State);
}

function setFilter(f: Partial<Filter>): void {
  filter = { ...filter, ...f };
  saveState();
  void render();
}

function showText(id: string, text: string | undefined): void {
  const e = $(id);
  e.textContent = text ?? '';
  e.hidden = !text;
}

function nodeTitle(n: DagNode): string {
  const lines = [`${n.name} (${n.kind}, ${n.status}${n.leaf ? ', dynamic leaf' : ''})`];
  if (n.label && n.label !== n.name) lines.push(n.label);
  if (n.title) lines.push(n.title);
  if (n.deps.length) lines.push(`uses ${n.deps.join(', ')}`);
  if (n.review === 'findings') lines.push('review: findings');
  if (n.review === 'dismissed') lines.push('review: findings dismissed');
  return lines.join('\n');
}

function drawNode(svg: SVGSVGElement, n: DagNode, id: string, x: number, y: number, w: number): void {
  const st = nodeStyle(n);
  const g = el('g', {
    class: `node ${st.category} ${n.status}${n.leaf ? ' leaf' : ''} ${n.kind}${filter.selected === n.name ? ' selected' : ''}`,
    id: `node-${id.slice(1)}`, transform: `translate(${x},${y})`, tabindex: 0, role: 'button',
    'data-name': n.name, 'data-status': n.status, 'data-kind': n.kind, 'data-category': st.category,
    'data-shape': st.shape, 'data-leaf': String(n.leaf), 'data-review': n.review ?? '',
    'aria-label': nodeTitle(n).split('\n')[0],
  }, svg);
  el('title', {}, g).textContent = nodeTitle(n);
  const rx = st.shape === 'box' ? 0 : 10;
  el('rect', { class: 'frame', x: 0, y: 0, width: w, height: NODE_HEIGHT, rx, ry: rx, fill: st.fill }, g);
  if (st.double)
    el('rect', { class: 'inner', x: 3, y: 3, width: w - 6, height: NODE_HEIGHT - 6, rx: Math.max(0, rx - 3), ry: Math.max(0, rx - 3), stroke: st.text }, g);
  const textW = w - (canProve(n) ? PROVE_WIDTH : 0);
  const name = el('text', { class: 'name', x: textW / 2, y: n.label && n.label !== n.name ? 18 : 25, 'text-anchor': 'middle', fill: st.text }, g);
  name.textContent = n.name;
  if (n.label && n.label !== n.name) {
    const label = el('text', { class: 'label', x: textW / 2, y: 32, 'text-anchor': 'middle', fill: st.text }, g);
    label.textContent = n.label;
  }
  if (st.review) {
    const b = el('g', { class: `badge review-${st.review}`, transform: `translate(${w - 2},2)` }, g);
    el('title', {}, b).textContent = st.review === 'findings' ? 'review findings' : 'review findings dismissed';
    el('circle', { r: 8, cx: 0, cy: 0, fill: st.review === 'findings' ? '#c62828' : '#757575' }, b);
    el('text', { x: 0, y: 4, 'text-anchor': 'middle' }, b).textContent = st.review === 'findings' ? '!' : '✓';
  }
  if (canProve(n)) {
    const b = el('g', { class: 'prove', role: 'button', 'data-name': n.name, transform: `translate(${w - PROVE_WIDTH + 2},${(NODE_HEIGHT - 20) / 2})` }, g);
    el('title', {}, b).textContent = `Prove ${n.name} with agent`;
    el('rect', { width: PROVE_WIDTH - 8, height: 20, rx: 4, ry: 4 }, b);
    el('text', { x: (PROVE_WIDTH - 8) / 2, y: 14, 'text-anchor': 'middle' }, b).textContent = 'Prove';
    b.addEventListener('click', (e) => {
      e.stopPropagation();
      post({ type: 'prove', name: n.name });
    });
  }
  const activate = () => {
    const changed = filter.selected !== n.name;
    filter = { ...filter, selected: n.name };
    saveState();
    post({ type: 'jump', name: n.name });
    if (changed) void render();
  };
  g.addEventListener('click', activate);
  g.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); activate(); }
  });
}

interface Laid { id: string; x?: number; y?: number; width?: number; height?: number }
interface LaidEdge { id: string; sources: string[]; targets: string[]; sections?: Array<{ startPoint: { x: number; y: number }; endPoint: { x: number; y: number }; bendPoints?: Array<{ x: number; y: number }> }> }

async function render(): Promise<void> {
  const gen = ++generation;
  const graph = $('graph');
  (document.getElementById('f-unproved') as HTMLInputElement).checked = filter.unprovedOnly;
  (document.getElementById('f-scope') as HTMLSelectElement).value = filter.scope;
  (document.getElementById('f-fit') as HTMLInputElement).checked = fit;
  $('selected').textContent = filter.selected ? `selected: ${filter.selected}` : '';
  if (!dag) return;
  $('summary').textContent = countsText(counts(dag));
  const shown = visibleNodes(dag, filter);
  const scoped = filter.scope !== 'all';
  const hint = scoped && !filter.selected ? 'Click a node to select it: the scope filter applies to the selected node.' : undefined;
  if (shown.length === 0) {
    graph.replaceChildren();
    showText('empty', dag.nodes.length ? 'No node matches the filters.' : 'This file has no blueprint nodes.');
    document.body.dataset.rendered = String(gen);
    return;
  }
  showText('empty', hint);
  const g = elkGraph(dag, shown, 'UP');
  let laid: { width?: number; height?: number; children?: Laid[]; edges?: LaidEdge[] };
  try {
    laid = await elk.layout(g) as typeof laid;
  } catch (e) {
    showText('error', `layout failed: ${e instanceof Error ? e.message : String(e)}`);
    document.body.dataset.rendered = String(gen);
    return;
  }
  if (gen !== generation) return; // a newer DAG or filter is being drawn
  showText('error', undefined);
  const svg = el('svg', { width: Math.ceil(laid.width ?? 0), height: Math.ceil(laid.height ?? 0), viewBox: `0 0 ${Math.ceil(laid.width ?? 0)} ${Math.ceil(laid.height ?? 0)}`, role: 'img', 'aria-label': 'blueprint DAG' });
  const defs = el('defs', {}, svg);
  const marker = el('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, defs);
  el('path', { d: 'M0,0 L10,5 L0,10 z' }, marker);
  const byId = new Map(shown.map((n) => [nodeId(dag!, n), n]));
  for (const e of laid.edges ?? []) {
    for (const s of e.sections ?? []) {
      const pts = [s.startPoint, ...(s.bendPoints ?? []), s.endPoint];
      const src = byId.get(e.sources[0]);
      const tgt = byId.get(e.targets[0]);
      const hl = !!filter.selected && (src?.name === filter.selected || tgt?.name === filter.selected);
      el('path', {
        class: `edge${hl ? ' hl' : ''}`, d: 'M' + pts.map((p) => `${p.x},${p.y}`).join(' L'), 'marker-end': 'url(#arrow)',
        'data-from': src?.name ?? '', 'data-to': tgt?.name ?? '',
      }, svg);
    }
  }
  for (const c of laid.children ?? []) {
    const n = byId.get(c.id);
    if (n) drawNode(svg, n, c.id, c.x ?? 0, c.y ?? 0, c.width ?? 60);
  }
  graph.replaceChildren(svg);
  applyFit();
  document.body.dataset.rendered = String(gen);
}

/** Fit to width scales the drawing down to the panel, but never below MIN_SCALE (text stays
 * readable; the panel scrolls beyond that) and never up. */
const MIN_SCALE = 0.6;
function applyFit(): void {
  const svg = $('graph').querySelector('svg');
  if (!svg) return;
  const vb = svg.viewBox.baseVal;
  const avail = $('graph').clientWidth - 8;
  const scale = fit && vb.width > 0 ? Math.min(1, Math.max(MIN_SCALE, avail / vb.width)) : 1;
  svg.setAttribute('width', String(Math.ceil(vb.width * scale)));
  svg.setAttribute('height', String(Math.ceil(vb.height * scale)));
  svg.dataset.scale = scale.toFixed(3);
}

/** The node at the editor's cursor becomes the selected one; with the scope on "all" the
 * drawing stays and only the highlight moves. */
function select(name: string): void {
  if (!dag || filter.selected === name || !dag.nodes.some((n) => n.name === name)) return;
  filter = { ...filter, selected: name };
  saveState();
  if (filter.scope !== 'all') { void render(); return; }
  $('selected').textContent = `selected: ${name}`;
  for (const g of Array.from(document.querySelectorAll('#graph g.node')))
    g.classList.toggle('selected', g.getAttribute('data-name') === name);
  for (const p of Array.from(document.querySelectorAll('#graph path.edge')))
    p.classList.toggle('hl', p.getAttribute('data-from') === name || p.getAttribute('data-to') === name);
}

function onMessage(m: HostMessage): void {
  if (!m || typeof m !== 'object') return;
  if (m.type === 'dag') {
    dag = m.dag;
    showText('note', m.note);
    showText('error', undefined);
    if (filter.selected && !dag.nodes.some((n) => n.name === filter.selected))
      filter = { ...filter, selected: undefined };
    void render();
  } else if (m.type === 'error') {
    showText('error', m.message);
  } else if (m.type === 'select') {
    select(m.name);
  }
}

window.addEventListener('message', (e: MessageEvent) => onMessage(e.data as HostMessage));
document.getElementById('f-unproved')!.addEventListener('change', (e) =>
  setFilter({ unprovedOnly: (e.target as HTMLInputElement).checked }));
document.getElementById('refresh')!.addEventListener('click', () => post({ type: 'refresh' }));
document.getElementById('f-fit')!.addEventListener('change', (e) => {
  fit = (e.target as HTMLInputElement).checked;
  saveState();
  applyFit();
});
window.addEventListener('resize', applyFit);
document.getElementById('f-scope')!.addEventListener('change', (e) =>
  setFilter({ scope: (e.target as HTMLSelectElement).value as Scope }));
void render();
post({ type: 'ready' });
