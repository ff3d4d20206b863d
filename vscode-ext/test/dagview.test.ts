// The DAG view's pure parts: palette, shapes, filters, counts, the ELK graph, and the page's HTML.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Dag, DagNode } from '../src/dag';
import {
  PALETTE, ancestors, canProve, category, counts, countsText, descendants, elkGraph, isPageMessage,
  isUnproved, nodeStyle, nodeWidth, visibleNodes,
} from '../src/dagview';
import { contentSecurityPolicy, escapeHtml, legendHtml, makeNonce, webviewHtml } from '../src/webviewHtml';
import { sampleDag } from '../testlib/fixtures';

const r = { start: { line: 0, character: 0 }, end: { line: 1, character: 0 } };
function node(name: string, over: Partial<DagNode> = {}): DagNode {
  return { name, kind: 'lemma', status: 'proved', leaf: false, deps: [], range: r, ...over };
}
const by = (d: Dag, n: string) => d.nodes.find((x) => x.name === n)!;

test('palette: the six colours shared with the proxy, by status, a sorry leaf blue', () => {
  assert.deepEqual(PALETTE, { proved: '#2e7d32', sorry: '#f9a825', leaf: '#1565c0', error: '#c62828', pending: '#9e9e9e', definition: '#6a1b9a' });
  const d = sampleDag();
  assert.equal(nodeStyle(by(d, 'base_lemma')).fill, '#2e7d32');
  assert.equal(nodeStyle(by(d, 'leaf_lemma')).fill, '#1565c0');
  assert.equal(nodeStyle(by(d, 'main_thm')).fill, '#f9a825');
  assert.equal(nodeStyle(by(d, 'broken')).fill, '#c62828');
  assert.equal(nodeStyle(by(d, 'one_mod_four')).fill, '#6a1b9a');
  assert.equal(nodeStyle(node('p', { status: 'pending' })).fill, '#9e9e9e');
  // A leaf flag on a node that is not sorry does not make it blue; an unknown status is pending.
  assert.equal(category(node('q', { status: 'error', leaf: true })), 'error');
  assert.equal(category(node('u', { status: 'weird' as never })), 'pending');
});

test('text is white on the dark fills, black on sorry and pending', () => {
  const white = ['proved', 'error', 'definition'] as const;
  for (const s of white) assert.equal(nodeStyle(node('x', { status: s })).text, '#ffffff', s);
  assert.equal(nodeStyle(node('x', { status: 'sorry', leaf: true })).text, '#ffffff');
  assert.equal(nodeStyle(node('x', { status: 'sorry' })).text, '#000000');
  assert.equal(nodeStyle(node('x', { status: 'pending' })).text, '#000000');
});

test('definitions are boxes, theorems double-bordered, review findings and dismissals marked', () => {
  const d = sampleDag();
  assert.equal(nodeStyle(by(d, 'one_mod_four')).shape, 'box');
  assert.equal(nodeStyle(by(d, 'base_lemma')).shape, 'rounded');
  assert.equal(nodeStyle(by(d, 'main_thm')).double, true);
  assert.equal(nodeStyle(by(d, 'base_lemma')).double, false);
  assert.equal(nodeStyle(node('x', { review: 'findings' })).review, 'findings');
  assert.equal(nodeStyle(node('x', { review: 'dismissed' })).review, 'dismissed');
  assert.equal(nodeStyle(node('x', { review: 'faithful' })).review, undefined);
  assert.equal(nodeStyle(node('x', { review: 'unreviewed' })).review, undefined);
});

test('Prove buttons on leaves only; unproved = sorry, error, pending proof nodes', () => {
  const d = sampleDag();
  assert.deepEqual(d.nodes.filter(canProve).map((n) => n.name), ['leaf_lemma']);
  assert.deepEqual(d.nodes.filter(isUnproved).map((n) => n.name), ['leaf_lemma', 'broken', 'main_thm']);
  assert.equal(isUnproved(node('p', { status: 'pending' })), true);
});

// a <- b <- c, b <- d, e alone; a cycle f <-> g
function chain(): Dag {
  return {
    uri: 'file:///x.lean',
    nodes: [
      node('a'), node('b', { deps: ['a'] }), node('c', { deps: ['b'], status: 'sorry' }),
      node('d', { deps: ['b', 'a', 'missing'], status: 'sorry', leaf: true }), node('e', { status: 'error' }),
      node('f', { deps: ['g'], status: 'sorry' }), node('g', { deps: ['f'] }),
    ],
  };
}

test('ancestors: the node and everything that transitively uses it; descendants: what it uses', () => {
  const d = chain();
  assert.deepEqual([...ancestors(d, 'a')].sort(), ['a', 'b', 'c', 'd']);
  assert.deepEqual([...ancestors(d, 'b')].sort(), ['b', 'c', 'd']);
  assert.deepEqual([...ancestors(d, 'c')], ['c']);
  assert.deepEqual([...descendants(d, 'd')].sort(), ['a', 'b', 'd']);
  assert.deepEqual([...descendants(d, 'a')], ['a']);
  assert.deepEqual([...ancestors(d, 'f')].sort(), ['f', 'g'], 'a cycle ends');
  assert.deepEqual([...ancestors(d, 'nope')], []);
});

test('visibleNodes: only unproved, scope of the selected node, both, and a scope with no selection', () => {
  const d = chain();
  const names = (f: Parameters<typeof visibleNodes>[1]) => visibleNodes(d, f).map((n) => n.name);
  assert.deepEqual(names({ unprovedOnly: false, scope: 'all' }), ['a', 'b', 'c', 'd', 'e', 'f', 'g']);
  assert.deepEqual(names({ unprovedOnly: true, scope: 'all' }), ['c', 'd', 'e', 'f']);
  assert.deepEqual(names({ unprovedOnly: false, scope: 'ancestors', selected: 'b' }), ['b', 'c', 'd']);
  assert.deepEqual(names({ unprovedOnly: false, scope: 'descendants', selected: 'c' }), ['a', 'b', 'c']);
  assert.deepEqual(names({ unprovedOnly: true, scope: 'ancestors', selected: 'a' }), ['c', 'd']);
  assert.deepEqual(names({ unprovedOnly: false, scope: 'ancestors' }).length, 7);
  assert.deepEqual(names({ unprovedOnly: false, scope: 'ancestors', selected: 'gone' }).length, 7);
});

test('counts: counted from the nodes (a stale summary is ignored); the summary line', () => {
  const d = sampleDag();
  assert.deepEqual(counts(d), { nodes: 5, proved: 1, sorry: 2, error: 1, pending: 0, definitions: 1, leaves: 1 });
  assert.deepEqual(counts({ ...d, summary: { ...d.summary!, proved: 9 } }).proved, 1);
  assert.equal(countsText(counts(chain())), '7 nodes: 3 proved, 3 sorry (1 dynamic leaves), 1 error, 0 pending, 0 definitions');
});

test('elkGraph: layered upwards, a child per shown node, edges node -> shown deps only', () => {
  const d = chain();
  const g = elkGraph(d, d.nodes);
  assert.equal(g.layoutOptions['elk.algorithm'], 'layered');
  assert.equal(g.layoutOptions['elk.direction'], 'UP');
  assert.deepEqual(g.children.map((c) => c.id), ['n0', 'n1', 'n2', 'n3', 'n4', 'n5', 'n6']);
  const e = g.edges.map((x) => `${x.sources[0]}>${x.targets[0]}`);
  assert.deepEqual(e, ['n1>n0', 'n2>n1', 'n3>n1', 'n3>n0', 'n5>n6', 'n6>n5']);
  const sub = visibleNodes(d, { unprovedOnly: false, scope: 'ancestors', selected: 'b' });
  assert.deepEqual(elkGraph(d, sub).edges.map((x) => `${x.sources[0]}>${x.targets[0]}`), ['n2>n1', 'n3>n1']);
  for (const c of g.children) assert.ok(c.width >= 60 && c.height > 0);
  // Names may repeat in a broken file: ids stay unique, edges go to the first.
  const dup: Dag = { uri: '', nodes: [node('x'), node('x'), node('y', { deps: ['x', 'x'] })] };
  const gd = elkGraph(dup, dup.nodes);
  assert.deepEqual(gd.children.map((c) => c.id), ['n0', 'n1', 'n2']);
  assert.deepEqual(gd.edges.map((x) => x.targets[0]), ['n0']);
  assert.equal(elkGraph(d, d.nodes, 'DOWN').layoutOptions['elk.direction'], 'DOWN');
});

test('nodeWidth grows with the name and leaves room for the Prove button', () => {
  assert.ok(nodeWidth(node('a_rather_long_lemma_name')) > nodeWidth(node('short')));
  const leaf = node('same', { status: 'sorry', leaf: true });
  assert.ok(nodeWidth(leaf) > nodeWidth(node('same', { status: 'sorry' })));
});

test('isPageMessage accepts the page\'s four messages only', () => {
  assert.ok(isPageMessage({ type: 'ready' }));
  assert.ok(isPageMessage({ type: 'jump', name: 'x' }));
  assert.ok(isPageMessage({ type: 'prove', name: 'x' }));
  assert.ok(isPageMessage({ type: 'refresh' }));
  assert.ok(!isPageMessage({ type: 'prove' }));
  assert.ok(!isPageMessage({ type: 'exec', name: 'x' }));
  assert.ok(!isPageMessage(null));
  assert.ok(!isPageMessage('jump'));
});

test('webviewHtml: strict CSP, the script by nonce from the webview origin, nothing remote', () => {
  const nonce = makeNonce();
  assert.match(nonce, /^[A-Za-z0-9]{16,}$/);
  assert.notEqual(makeNonce(), nonce);
  const html = webviewHtml({ scriptUri: 'https://x.vscode-cdn.net/ext/dist/webview.js', cspSource: 'https://x.vscode-cdn.net', nonce, title: 'DAG: <A&B>.lean' });
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
  assert.equal(csp, escapeHtml(contentSecurityPolicy('https://x.vscode-cdn.net', nonce)));
  assert.match(csp!, /^default-src 'none'; script-src 'nonce-[A-Za-z0-9]+' https:\/\/x\.vscode-cdn\.net; style-src https:\/\/x\.vscode-cdn\.net 'unsafe-inline'; img-src https:\/\/x\.vscode-cdn\.net data:/);
  const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1]);
  assert.deepEqual(scripts, [` nonce="${nonce}" src="https://x.vscode-cdn.net/ext/dist/webview.js"`]);
  assert.match(html, /<title>DAG: &lt;A&amp;B&gt;\.lean<\/title>/);
  // No URL but the script's: no CDN, no fonts, no images from elsewhere.
  const urls = [...html.matchAll(/\b(https?:\/\/[^\s"');]+)/g)].map((m) => m[1]).filter((u) => u !== 'http://www.w3.org/2000/svg');
  assert.deepEqual([...new Set(urls)].sort(), ['https://x.vscode-cdn.net', 'https://x.vscode-cdn.net/ext/dist/webview.js']);
  for (const id of ['f-unproved', 'f-scope', 'summary', 'legend', 'graph'])
    assert.ok(html.includes(`id="${id}"`), id);
  assert.match(html, /<option value="ancestors">/);
  assert.match(html, /<option value="descendants">/);
});

test('the legend lists the palette in order with the theorem and review markers', () => {
  const l = legendHtml();
  const cols = [...l.matchAll(/data-category="(\w+)"><span class="swatch[^"]*" style="background:(#[0-9a-f]{6})"/g)].map((m) => [m[1], m[2]]);
  assert.deepEqual(cols, Object.entries(PALETTE));
  assert.match(l, /dynamic leaf/);
  assert.match(l, /theorem \(double border\)/);
  assert.match(l, /review findings/);
  assert.match(l, /findings dismissed/);
});
