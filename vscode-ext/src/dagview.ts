// The pure part of the DAG view (webview/page.ts draws it, dagpanel.ts hosts it): colours,
// shapes, filters, the summary and the ELK graph built from a DAG. No DOM, no vscode: the
// page script bundles it and node --test checks it directly.
import { Dag, DagNode } from './dag';

/** One palette for every picture of the DAG: the proxy's DOT, Mermaid, SVG and HTML use it too. */
export const PALETTE = {
  proved: '#2e7d32',
  sorry: '#f9a825',
  leaf: '#1565c0',
  error: '#c62828',
  pending: '#9e9e9e',
  definition: '#6a1b9a',
} as const;

export type Category = keyof typeof PALETTE;

export const LEGEND: ReadonlyArray<{ category: Category; text: string }> = [
  { category: 'proved', text: 'proved' },
  { category: 'sorry', text: 'sorry' },
  { category: 'leaf', text: 'dynamic leaf' },
  { category: 'error', text: 'error' },
  { category: 'pending', text: 'pending' },
  { category: 'definition', text: 'definition' },
];

/** The colour class of a node: its status, except a sorry node that is a dynamic leaf. */
export function category(n: DagNode): Category {
  if (n.status === 'sorry' && n.leaf) return 'leaf';
  if (n.status in PALETTE) return n.status as Category;
  return n.kind === 'definition' ? 'definition' : 'pending';
}

export interface NodeStyle {
  category: Category;
  fill: string;
  /** white on the dark fills, black on sorry and pending */
  text: string;
  /** definitions are boxes, the proof nodes rounded */
  shape: 'box' | 'rounded';
  /** theorems have a double border */
  double: boolean;
  /** the review marker: findings, dismissed findings, or none */
  review?: 'findings' | 'dismissed';
}

export function nodeStyle(n: DagNode): NodeStyle {
  const c = category(n);
  const review = n.review === 'findings' || n.review === 'dismissed' ? n.review : undefined;
  return {
    category: c,
    fill: PALETTE[c],
    text: c === 'sorry' || c === 'pending' ? '#000000' : '#ffffff',
    shape: n.kind === 'definition' ? 'box' : 'rounded',
    double: n.kind === 'theorem',
    review,
  };
}

/** A leaf node gets a Prove button. */
export function canProve(n: DagNode): boolean {
  return n.leaf && n.kind !== 'definition';
}

/** Nodes needing work: sorry, error or pending proof nodes (not proved ones, not definitions). */
export function isUnproved(n: DagNode): boolean {
  return n.kind !== 'definition' && (n.status === 'sorry' || n.status === 'error' || n.status === 'pending');
}

function closure(dag: Dag, name: string, next: (n: string) => string[]): Set<string> {
  const out = new Set<string>();
  const known = new Set(dag.nodes.map((n) => n.name));
  if (!known.has(name)) return out;
  const todo = [name];
  while (todo.length) {
    const cur = todo.pop()!;
    if (out.has(cur)) continue;
    out.add(cur);
    for (const m of next(cur)) if (!out.has(m) && known.has(m)) todo.push(m);
  }
  return out;
}

/** The node and every node that transitively depends on it (its users). */
export function ancestors(dag: Dag, name: string): Set<string> {
  const users = new Map<string, string[]>();
  for (const n of dag.nodes)
    for (const d of n.deps) users.set(d, [...(users.get(d) ?? []), n.name]);
  return closure(dag, name, (x) => users.get(x) ?? []);
}

/** The node and everything it transitively depends on. */
export function descendants(dag: Dag, name: string): Set<string> {
  const deps = new Map<string, string[]>();
  for (const n of dag.nodes) deps.set(n.name, [...(deps.get(n.name) ?? []), ...n.deps]);
  return closure(dag, name, (x) => deps.get(x) ?? []);
}

export type Scope = 'all' | 'ancestors' | 'descendants';
export interface Filter { unprovedOnly: boolean; scope: Scope; selected?: string }

export const NO_FILTER: Filter = { unprovedOnly: false, scope: 'all' };

/** The nodes the view shows, in DAG order. A scope without a selected node (or with one no
 * longer in the DAG) shows everything. */
export function visibleNodes(dag: Dag, f: Filter): DagNode[] {
  let keep: Set<string> | undefined;
  if (f.scope !== 'all' && f.selected && dag.nodes.some((n) => n.name === f.selected))
    keep = f.scope === 'ancestors' ? ancestors(dag, f.selected) : descendants(dag, f.selected);
  return dag.nodes.filter((n) => (!keep || keep.has(n.name)) && (!f.unprovedOnly || isUnproved(n)));
}

export interface Counts { nodes: number; proved: number; sorry: number; error: number; pending: number; definitions: number; leaves: number }

/** The summary counts, counted from the nodes (so they always match the picture). */
export function counts(dag: Dag): Counts {
  const c: Counts = { nodes: dag.nodes.length, proved: 0, sorry: 0, error: 0, pending: 0, definitions: 0, leaves: 0 };
  for (const n of dag.nodes) {
    if (n.status === 'proved') c.proved++;
    else if (n.status === 'sorry') c.sorry++;
    else if (n.status === 'error') c.error++;
    else if (n.status === 'pending') c.pending++;
    if (n.kind === 'definition') c.definitions++;
    if (n.leaf) c.leaves++;
  }
  return c;
}

export function countsText(c: Counts): string {
  return `${c.nodes} nodes: ${c.proved} proved, ${c.sorry} sorry (${c.leaves} dynamic leaves), ` +
    `${c.error} error, ${c.pending} pending, ${c.definitions} definitions`;
}

// Sizes, in px, of the node boxes the page draws (text measured by an estimate, so the layout
// does not depend on the page's fonts being loaded).
export const NODE_HEIGHT = 42;
export const PROVE_WIDTH = 46;
const NAME_CHAR = 7.4;  // 12px sans-serif, average advance
const LABEL_CHAR = 6.2; // 10px
const PAD = 20;

export function nodeWidth(n: DagNode): number {
  const text = Math.max(n.name.length * NAME_CHAR, (n.label && n.label !== n.name ? n.label.length : 0) * LABEL_CHAR);
  return Math.ceil(Math.max(60, text + PAD + (canProve(n) ? PROVE_WIDTH : 0) + (nodeStyle(n).review ? 14 : 0)));
}

/** A minimal ELK JSON graph (elkjs's ElkNode, kept local so this module needs no DOM types). */
export interface ElkGraph {
  id: string;
  layoutOptions: Record<string, string>;
  children: Array<{ id: string; width: number; height: number }>;
  edges: Array<{ id: string; sources: string[]; targets: string[] }>;
}

/** ELK ids are `n<index in dag.nodes>` (names may repeat in a broken file); edges go from a
 * node to each dep that is shown, deps named twice or missing are dropped. */
export function nodeId(dag: Dag, n: DagNode): string {
  return `n${dag.nodes.indexOf(n)}`;
}

export function elkGraph(dag: Dag, shown: DagNode[], direction: 'UP' | 'DOWN' = 'UP'): ElkGraph {
  const idOf = new Map<string, string>();
  for (const n of shown) if (!idOf.has(n.name)) idOf.set(n.name, nodeId(dag, n));
  const edges: ElkGraph['edges'] = [];
  for (const n of shown) {
    const src = nodeId(dag, n);
    for (const d of new Set(n.deps)) {
      const tgt = idOf.get(d);
      if (tgt && tgt !== src) edges.push({ id: `e${edges.length}`, sources: [src], targets: [tgt] });
    }
  }
  return {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      // Like the proxy's DOT (rankdir=BT): a node below what it uses, arrows pointing up.
      'elk.direction': direction,
      'elk.spacing.nodeNode': '24',
      'elk.layered.spacing.nodeNodeBetweenLayers': '44',
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
      'elk.padding': '[top=16,left=16,bottom=16,right=16]',
    },
    children: shown.map((n) => ({ id: nodeId(dag, n), width: nodeWidth(n), height: NODE_HEIGHT })),
    edges,
  };
}

/** Messages from the page to the extension. */
export type PageMessage =
  | { type: 'ready' }
  | { type: 'jump'; name: string }
  | { type: 'prove'; name: string }
  | { type: 'refresh' };

/** Messages from the extension to the page. */
export type HostMessage =
  | { type: 'dag'; dag: Dag; note?: string }
  | { type: 'error'; message: string }
  /** the node at the editor's cursor: selected in the view, no jump back */
  | { type: 'select'; name: string };

export function isPageMessage(m: unknown): m is PageMessage {
  const o = m as { type?: unknown; name?: unknown };
  if (!o || typeof o !== 'object') return false;
  if (o.type === 'ready' || o.type === 'refresh') return true;
  return (o.type === 'jump' || o.type === 'prove') && typeof o.name === 'string';
}
