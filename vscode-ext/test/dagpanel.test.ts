// The DAG view's extension side (src/dagpanel.ts through marathon.ui.showDag) against the fake
// `vscode` module: the panel, its HTML, the DAG posted to the page, redraws, jump and prove.
import '../testlib/vscode-hook';
import { afterEach, beforeEach, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from '../testlib/fake-vscode';
import * as ext from '../src/extension';
import { DagPanel } from '../src/dagpanel';
import { sampleDag } from '../testlib/fixtures';

const FILE = '/proj/Main.lean';
const URI = 'file:///proj/Main.lean';
let ctx: any;
let dagCalls = 0;
let dag = sampleDag();

function server(): void {
  dagCalls = 0;
  dag = sampleDag();
  vscode.externalCommands.set('marathon.dag', (a: any) => { dagCalls++; return { ...dag, uri: a.uri }; });
  vscode.externalCommands.set('marathon.prove', (a: any) => ({ jobId: `prove-${a.name}` }));
  vscode.externalCommands.set('marathon.status', () => ({ jobs: [], lean: 'running' }));
}
const tick = () => new Promise((r) => setImmediate(r));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function open(): Promise<vscode.FakeWebviewPanel> {
  const ed = vscode.fakeEditor(FILE, 0, 0);
  vscode.window.activeTextEditor = ed;
  vscode.window.visibleTextEditors = [ed];
  await vscode.commands.executeCommand('marathon.ui.showDag');
  const p = vscode.webviewPanels.at(-1)!;
  assert.ok(p, 'a webview panel was created');
  await p.receive({ type: 'ready' });
  await tick();
  return p;
}

beforeEach(() => {
  if (ctx) for (const d of ctx.subscriptions) d.dispose();
  vscode.reset();
  DagPanel.debounceMs = 20;
  ctx = vscode.makeContext();
  ext.activate(ctx);
});
afterEach(() => { DagPanel.current?.dispose(); });

test('showDag opens a webview beside the editor with scripts, dist/ as the only local root, and the page', async () => {
  server();
  const p = await open();
  assert.equal(p.viewType, 'marathon.dagView');
  assert.equal(p.title, 'DAG: Main.lean');
  assert.deepEqual(p.showOptions, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true });
  assert.equal(p.options.enableScripts, true);
  assert.deepEqual(p.options.localResourceRoots.map((u: any) => u.fsPath), ['/ext/dist']);
  const html = p.webview.html;
  assert.match(html, /src="https:\/\/fake\.vscode-cdn\.net\/ext\/dist\/webview\.js"/);
  assert.match(html, /default-src 'none'; script-src 'nonce-[A-Za-z0-9]+' https:\/\/fake\.vscode-cdn\.net;/);
  const nonce = /'nonce-([A-Za-z0-9]+)'/.exec(html)![1];
  assert.ok(html.includes(`<script nonce="${nonce}"`));
  // After the page's "ready", the DAG of the file.
  const dags = p.posted.filter((m) => m.type === 'dag');
  assert.equal(dags.length, 1);
  assert.equal(dags[0].dag.uri, URI);
  assert.deepEqual(dags[0].dag.nodes.map((n: any) => n.name), sampleDag().nodes.map((n) => n.name));
});

test('nothing is posted before the page is ready; then only the newest DAG', async () => {
  server();
  vscode.window.activeTextEditor = vscode.fakeEditor(FILE, 0, 0);
  await vscode.commands.executeCommand('marathon.ui.showDag');
  const p = vscode.webviewPanels.at(-1)!;
  await tick();
  await DagPanel.current!.refresh();
  assert.equal(p.posted.length, 0);
  await p.receive({ type: 'ready' });
  assert.equal(p.posted.length, 1);
  assert.equal(p.posted[0].type, 'dag');
  // The page reloaded (it says ready again): it gets the DAG again.
  await p.receive({ type: 'ready' });
  await tick();
  assert.equal(p.posted.length, 2);
  assert.equal(p.posted[1].type, 'dag');
});

test('showDag again reveals the same panel; on a file that is not Lean it only warns', async () => {
  server();
  const p = await open();
  await vscode.commands.executeCommand('marathon.ui.showDag');
  assert.equal(vscode.webviewPanels.length, 1);
  assert.deepEqual(p.revealed, [[vscode.ViewColumn.Beside, true]]);
  p.dispose();
  assert.equal(DagPanel.current, undefined);
  vscode.window.activeTextEditor = vscode.fakeEditor('/proj/x.md', 0, 0, 'markdown');
  await vscode.commands.executeCommand('marathon.ui.showDag');
  assert.equal(vscode.webviewPanels.length, 1);
});

test('changes, saves and diagnostics of the file redraw once after the debounce; other files do not', async () => {
  server();
  const p = await open();
  const doc = vscode.window.activeTextEditor.document;
  const before = dagCalls;
  dag.nodes[2].status = 'proved';
  dag.nodes[2].leaf = false;
  vscode.events.changeTextDocument.fire({ document: doc });
  vscode.events.changeTextDocument.fire({ document: doc });
  vscode.events.saveTextDocument.fire(doc);
  vscode.events.changeDiagnostics.fire({ uris: [doc.uri] });
  vscode.events.changeTextDocument.fire({ document: { ...doc, uri: vscode.Uri.file('/proj/Other.lean') } });
  await tick();
  assert.equal(dagCalls, before, 'debounced: nothing yet');
  await sleep(60);
  assert.equal(dagCalls, before + 1, 'one refresh for the burst');
  const last = p.posted.filter((m) => m.type === 'dag').at(-1);
  assert.equal(last.dag.nodes[2].status, 'proved');
  vscode.events.changeDiagnostics.fire({ uris: [vscode.Uri.file('/proj/Other.lean')] });
  await sleep(60);
  assert.equal(dagCalls, before + 1);
});

test('the panel follows the active Lean editor', async () => {
  server();
  const p = await open();
  vscode.events.changeActiveTextEditor.fire(vscode.fakeEditor('/proj/B.lean', 0, 0));
  await tick();
  assert.equal(p.title, 'DAG: B.lean');
  assert.equal(p.posted.filter((m) => m.type === 'dag').at(-1).dag.uri, 'file:///proj/B.lean');
  vscode.events.changeActiveTextEditor.fire(vscode.fakeEditor('/proj/notes.md', 0, 0, 'markdown'));
  await tick();
  assert.equal(p.title, 'DAG: B.lean');
});

test('jump reveals the node\'s range in the editor of the file', async () => {
  server();
  const p = await open();
  const ed = vscode.window.activeTextEditor;
  await p.receive({ type: 'jump', name: 'broken' });
  const show = vscode.calls.find((c) => c.api === 'showTextDocument')!;
  assert.equal(show.args[0].uri.toString(), URI);
  assert.equal(show.args[1].viewColumn, vscode.ViewColumn.One);
  assert.equal(ed.selection.active.line, 22);
  assert.equal(ed.selection.active.character, 0);
  const rev = vscode.calls.find((c) => c.api === 'revealRange')!;
  assert.deepEqual([rev.args[0].start.line, rev.args[0].end.line, rev.args[0].end.character], [22, 26, 5]);
  assert.equal(rev.args[1], vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  // A name the DAG no longer has: a warning, no jump.
  vscode.calls.length = 0;
  await p.receive({ type: 'jump', name: 'vanished' });
  assert.ok(!vscode.calls.some((c) => c.api === 'revealRange'));
  assert.ok(vscode.calls.some((c) => c.api === 'showWarningMessage' && /vanished/.test(c.args[0])));
});

test('prove runs marathon.prove {uri, name} and says which job started', async () => {
  server();
  const p = await open();
  await p.receive({ type: 'prove', name: 'leaf_lemma' });
  await tick();
  const sent = vscode.calls.filter((c) => c.api === 'executeCommand' && c.args[0] === 'marathon.prove').map((c) => c.args);
  assert.deepEqual(sent, [['marathon.prove', { uri: URI, name: 'leaf_lemma' }]]);
  assert.ok(vscode.calls.some((c) => c.api === 'showInformationMessage' && /job prove-leaf_lemma started/.test(c.args[0])));
  // Malformed messages from the page do nothing.
  vscode.calls.length = 0;
  await p.receive({ type: 'prove' });
  await p.receive({ type: 'exec', name: 'rm -rf' });
  assert.ok(!vscode.calls.some((c) => c.api === 'executeCommand'));
});

test('a DAG error reaches the page, not a popup', async () => {
  vscode.externalCommands.set('marathon.dag', () => { throw new Error('Invalid params: uri is not open'); });
  const p = await open();
  assert.deepEqual(p.posted, [{ type: 'error', message: 'Invalid params: uri is not open' }]);
  assert.ok(!vscode.calls.some((c) => c.api === 'showErrorMessage'));
});

test('disposing the extension closes the panel and stops the redraws', async () => {
  server();
  const p = await open();
  for (const d of ctx.subscriptions) d.dispose();
  ctx = undefined;
  assert.equal(p.disposed, true);
  assert.equal(DagPanel.current, undefined);
  assert.equal(vscode.events.changeTextDocument.size, 0);
  assert.equal(vscode.events.changeDiagnostics.size, 0);
});

test('without a Lean server the view shows `lsp-proxy dag` of the saved file, with a note; refresh asks again', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'marathon-view-'));
  const fakeProxy = path.join(tmp, 'lsp-proxy');
  const file = path.join(tmp, 'Main.lean');
  const count = path.join(tmp, 'count');
  fs.writeFileSync(fakeProxy, `#!/bin/sh\necho x >> '${count}'\n[ "$1 $2 $3 $4" = "dag --format json ${file}" ] || exit 2\necho '${JSON.stringify(sampleDag('file://' + file))}'\n`, { mode: 0o755 });
  vscode.setConfig('marathon', 'proxyPath', { workspaceValue: fakeProxy });
  const ed = vscode.fakeEditor(file, 0, 0);
  vscode.window.activeTextEditor = ed;
  await vscode.commands.executeCommand('marathon.ui.showDag');
  const p = vscode.webviewPanels.at(-1)!;
  await p.receive({ type: 'ready' });
  for (let i = 0; i < 100 && p.posted.length === 0; i++) await sleep(10);
  assert.equal(p.posted.length, 1, JSON.stringify(p.posted));
  assert.equal(p.posted[0].type, 'dag');
  assert.equal(p.posted[0].dag.nodes.length, 5);
  assert.match(p.posted[0].note, /No Lean server with lsp-proxy: this is `lsp-proxy dag` of the saved file/);
  assert.doesNotMatch(p.posted[0].note, /unsaved/);
  assert.ok(!vscode.calls.some((c) => /^show\w+Message$/.test(c.api)), 'no popup from the view');
  ed.document.isDirty = true;
  await p.receive({ type: 'refresh' });
  for (let i = 0; i < 100 && p.posted.length === 1; i++) await sleep(10);
  assert.match(p.posted[1].note, /unsaved changes/);
  assert.equal(fs.readFileSync(count, 'utf8'), 'x\nx\n');
});

test('moving the editor\'s cursor into a node selects it in the view, once per node; a jump does not echo back', async () => {
  server();
  const p = await open();
  const ed = vscode.window.activeTextEditor;
  const move = (line: number) => {
    const pos = new vscode.Position(line, 0);
    vscode.events.changeTextEditorSelection.fire({ textEditor: ed, selections: [new vscode.Selection(pos, pos)] });
  };
  move(16);
  move(17);
  move(13); // between nodes: nothing
  move(30);
  vscode.events.changeTextEditorSelection.fire({ textEditor: vscode.fakeEditor('/proj/Other.lean', 16, 0), selections: [new vscode.Selection(new vscode.Position(3, 0), new vscode.Position(3, 0))] });
  const selects = () => p.posted.filter((m) => m.type === 'select').map((m) => m.name);
  assert.deepEqual(selects(), ['leaf_lemma', 'main_thm']);
  await p.receive({ type: 'jump', name: 'broken' });
  move(22);
  assert.deepEqual(selects(), ['leaf_lemma', 'main_thm']);
  move(8);
  assert.deepEqual(selects(), ['leaf_lemma', 'main_thm', 'base_lemma']);
});
