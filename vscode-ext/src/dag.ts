// The DAG JSON of shared/INTERFACE.md (`marathon.dag`, `lsp-proxy dag --format json`)
// and the pure questions the commands ask of it.

export interface LspPosition { line: number; character: number }
export interface LspRange { start: LspPosition; end: LspPosition }

export type NodeKind = 'theorem' | 'lemma' | 'definition';
export type NodeStatus = 'proved' | 'sorry' | 'error' | 'pending' | 'definition';

export interface DagNode {
  name: string;
  label?: string;
  kind: NodeKind;
  status: NodeStatus;
  leaf: boolean;
  deps: string[];
  range: LspRange;
  title?: string;
  review?: string;
}

export interface Dag {
  uri: string;
  version?: number | null;
  nodes: DagNode[];
  summary?: { nodes: number; proved: number; sorry: number; error: number; leaves: number };
}

function isPos(p: unknown): p is LspPosition {
  const o = p as LspPosition;
  return !!o && typeof o.line === 'number' && typeof o.character === 'number';
}

/** Checks the shape of a DAG result (from the server or the CLI); throws with a reason. */
export function parseDag(value: unknown): Dag {
  const v = typeof value === 'string' ? JSON.parse(value) : value;
  if (!v || typeof v !== 'object' || !Array.isArray((v as Dag).nodes))
    throw new Error('not a DAG: no "nodes" array');
  const dag = v as Dag;
  dag.nodes.forEach((n, i) => {
    if (!n || typeof n.name !== 'string')
      throw new Error(`not a DAG: node ${i} has no name`);
    if (!n.range || !isPos(n.range.start) || !isPos(n.range.end))
      throw new Error(`not a DAG: node ${n.name} has no range`);
    if (!Array.isArray(n.deps)) n.deps = [];
  });
  return dag;
}

function cmp(a: LspPosition, b: LspPosition): number {
  return a.line !== b.line ? a.line - b.line : a.character - b.character;
}

export function rangeContains(r: LspRange, p: LspPosition): boolean {
  return cmp(r.start, p) <= 0 && cmp(p, r.end) <= 0;
}

function rangeSize(r: LspRange): number {
  return (r.end.line - r.start.line) * 1e6 + (r.end.character - r.start.character);
}

/** The node whose range holds the position (the innermost when ranges nest), or undefined. */
export function nodeAtPosition(dag: Dag, pos: LspPosition): DagNode | undefined {
  let best: DagNode | undefined;
  for (const n of dag.nodes)
    if (rangeContains(n.range, pos) && (!best || rangeSize(n.range) < rangeSize(best.range)))
      best = n;
  return best;
}

export type CursorAction = 'prove' | 'repair';

/** Why the action does not fit the node (a message for the user), or undefined when it does. */
export function actionProblem(node: DagNode, action: CursorAction): string | undefined {
  if (node.kind === 'definition')
    return `\`${node.name}\` is a definition: definitions are context, not proof nodes`;
  if (action === 'prove' && node.status === 'proved')
    return `\`${node.name}\` is already proved`;
  if (action === 'repair' && node.status !== 'error')
    return `\`${node.name}\` has no Lean error (status ${node.status})`;
  return undefined;
}

/** The proof nodes an action could target, for a picker when the cursor is on none. */
export function candidates(dag: Dag, action: CursorAction): DagNode[] {
  return dag.nodes.filter((n) => actionProblem(n, action) === undefined);
}

const STATUS_ICON: Record<string, string> = {
  proved: '$(pass)', sorry: '$(circle-large-outline)', error: '$(error)',
  pending: '$(loading~spin)', definition: '$(symbol-structure)',
};

export function statusIcon(status: string): string {
  return STATUS_ICON[status] ?? '$(question)';
}

/** One line per node for the DAG picker: name, status, deps. */
export function describeNode(n: DagNode): { label: string; description: string; detail: string } {
  const leaf = n.leaf ? ' · leaf' : '';
  return {
    label: `${statusIcon(n.status)} ${n.name}`,
    description: `${n.kind} · ${n.status}${leaf}${n.label ? ' · ' + n.label : ''}`,
    detail: n.deps.length ? `uses ${n.deps.join(', ')}` : (n.title ?? ''),
  };
}

export function summaryText(dag: Dag): string {
  const s = dag.summary;
  if (!s) return `${dag.nodes.length} nodes`;
  return `${s.nodes} nodes: ${s.proved} proved, ${s.sorry} sorry, ${s.error} error, ${s.leaves} leaves`;
}
