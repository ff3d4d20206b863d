// extension.ts's real command handlers, against the fake `vscode` module.
import '../testlib/vscode-hook';
import { beforeEach, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from '../testlib/fake-vscode';
import * as ext from '../src/extension';
import { sampleDag } from '../testlib/fixtures';
import { makeShimDir } from '../testlib/shimdir';

const FILE = '/proj/Main.lean';
const URI = 'file:///proj/Main.lean';
let ctx: any;

function serverCalls(): any[][] {
  return vscode.calls.filter((c) => c.api === 'executeCommand' && !String(c.args[0]).startsWith('marathon.ui.'))
    .map((c) => c.args);
}
function messages(api?: string): string[] {
  return vscode.calls.filter((c) => /^show\w+Message$/.test(c.api) && (!api || c.api === api)).map((c) => c.args[0]);
}
/** The server's commands as vscode-lean4's client would register them, answering like lsp-proxy. */
function fakeServer(dag = sampleDag()): void {
  vscode.externalCommands.set('marathon.dag', (a: any) => { assert.equal(a.uri, URI); return dag; });
  vscode.externalCommands.set('marathon.prove', (a: any) => ({ jobId: `prove-${a.name}` }));
  vscode.externalCommands.set('marathon.repair', (a: any) => ({ jobId: `repair-${a.name}` }));
  vscode.externalCommands.set('marathon.proveLeaves', () => ({ jobIds: ['j1', 'j2'] }));
  vscode.externalCommands.set('marathon.review', () => ({ jobId: 'r1' }));
  vscode.externalCommands.set('marathon.status', () => ({
    jobs: [{ id: 'j1', kind: 'prove', name: 'leaf_lemma', state: 'running' },
      { id: 'j0', kind: 'repair', name: 'broken', state: 'failed', message: 'attempts exhausted' }],
    lean: 'running', llm: { provider: 'openai', model: 'm' },
  }));
  vscode.externalCommands.set('marathon.cancel', (a: any) => ({ cancelled: a.jobId ? 1 : 2 }));
}

beforeEach(() => {
  if (ctx) for (const d of ctx.subscriptions) d.dispose();
  vscode.reset();
  ctx = vscode.makeContext();
  ext.activate(ctx);
});

test('activate registers every palette command and a status bar item', () => {
  for (const id of ext.UI_COMMANDS) assert.ok(vscode.commands.registered().includes(id), id);
  const item = vscode.statusBarItems.at(-1);
  assert.equal(item.command, 'marathon.ui.status');
  assert.equal(item.shown, true);
});

test('proveAtCursor: marathon.dag, then marathon.prove with the node under the cursor', async () => {
  fakeServer();
  vscode.window.activeTextEditor = vscode.fakeEditor(FILE, 16, 4);
  await vscode.commands.executeCommand('marathon.ui.proveAtCursor');
  assert.deepEqual(serverCalls().slice(0, 2), [
    ['marathon.dag', { uri: URI }],
    ['marathon.prove', { uri: URI, name: 'leaf_lemma' }],
  ]);
  assert.ok(messages('showInformationMessage').some((m) => m.includes('job prove-leaf_lemma')), messages().join('|'));
});

test('proveAtCursor on another line picks that node', async () => {
  fakeServer();
  vscode.window.activeTextEditor = vscode.fakeEditor(FILE, 30, 0);
  await vscode.commands.executeCommand('marathon.ui.proveAtCursor');
  assert.deepEqual(serverCalls()[1], ['marathon.prove', { uri: URI, name: 'main_thm' }]);
});

test('proveAtCursor on a definition or a proved node: no job unless asked', async () => {
  fakeServer();
  vscode.window.activeTextEditor = vscode.fakeEditor(FILE, 3, 0);
  await vscode.commands.executeCommand('marathon.ui.proveAtCursor');
  assert.ok(!serverCalls().some((c) => c[0] === 'marathon.prove'));
  assert.match(messages('showWarningMessage')[0], /one_mod_four.*definition/);

  vscode.calls.length = 0;
  vscode.window.activeTextEditor = vscode.fakeEditor(FILE, 8, 0);
  vscode.answers.message.push(undefined); // dismisses "Prove it anyway?"
  await vscode.commands.executeCommand('marathon.ui.proveAtCursor');
  assert.ok(!serverCalls().some((c) => c[0] === 'marathon.prove'));
  vscode.answers.message.push('Prove anyway');
  await vscode.commands.executeCommand('marathon.ui.proveAtCursor');
  assert.deepEqual(serverCalls().filter((c) => c[0] === 'marathon.prove'), [['marathon.prove', { uri: URI, name: 'base_lemma' }]]);
});

test('proveAtCursor between nodes offers the unproved ones', async () => {
  fakeServer();
  vscode.window.activeTextEditor = vscode.fakeEditor(FILE, 13, 0);
  vscode.answers.quickPick.push((_m: string, items: any[]) => {
    assert.deepEqual(items.map((i) => i.node.name), ['leaf_lemma', 'broken', 'main_thm']);
    return items[2];
  });
  await vscode.commands.executeCommand('marathon.ui.proveAtCursor');
  assert.deepEqual(serverCalls().filter((c) => c[0] === 'marathon.prove'), [['marathon.prove', { uri: URI, name: 'main_thm' }]]);
});

test('repairAtCursor sends marathon.repair for a node with an error', async () => {
  fakeServer();
  vscode.window.activeTextEditor = vscode.fakeEditor(FILE, 23, 2);
  await vscode.commands.executeCommand('marathon.ui.repairAtCursor');
  assert.deepEqual(serverCalls()[1], ['marathon.repair', { uri: URI, name: 'broken' }]);
});

test('proveLeaves and review send {uri}', async () => {
  fakeServer();
  vscode.window.activeTextEditor = vscode.fakeEditor(FILE, 0, 0);
  await vscode.commands.executeCommand('marathon.ui.proveLeaves');
  await vscode.commands.executeCommand('marathon.ui.review');
  const sent = serverCalls().filter((c) => c[0] !== 'marathon.status');
  assert.deepEqual(sent, [['marathon.proveLeaves', { uri: URI }], ['marathon.review', { uri: URI }]]);
  assert.ok(messages().some((m) => m.includes('Proving 2 dynamic leaves: jobs j1, j2')), messages().join('|'));
});

test('commands on a file that is not Lean do nothing but say so', async () => {
  fakeServer();
  vscode.window.activeTextEditor = vscode.fakeEditor('/proj/x.md', 0, 0, 'markdown');
  await vscode.commands.executeCommand('marathon.ui.proveAtCursor');
  await vscode.commands.executeCommand('marathon.ui.proveLeaves');
  assert.deepEqual(serverCalls(), []);
  assert.match(messages('showWarningMessage')[0], /Lean 4 file/);
});

test('without a Lean client, prove says how to enable the shim; the DAG comes from lsp-proxy dag', async () => {
  // No external commands: VS Code rejects "command 'marathon.dag' not found".
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'marathon-ext-'));
  const fakeProxy = path.join(tmp, 'lsp-proxy');
  const dag = sampleDag('file://' + path.join(tmp, 'Main.lean'));
  fs.writeFileSync(fakeProxy, `#!/bin/sh\n[ "$1 $2 $3" = "dag --format json" ] || exit 2\necho '${JSON.stringify(dag)}'\n`, { mode: 0o755 });
  vscode.setConfig('marathon', 'proxyPath', { workspaceValue: fakeProxy });
  vscode.window.activeTextEditor = vscode.fakeEditor(path.join(tmp, 'Main.lean'), 16, 0);
  vscode.answers.message.push(undefined);
  await vscode.commands.executeCommand('marathon.ui.proveAtCursor');
  const err = messages('showErrorMessage');
  assert.equal(err.length, 1, err.join('|'));
  assert.match(err[0], /^Prove leaf_lemma: no Lean server with lsp-proxy is running/);
  // goToNode uses the same fallback and lists the nodes with the summary.
  vscode.answers.quickPick.push((m: string, items: any[]) => {
    assert.equal(m, '5 nodes: 1 proved, 2 sorry, 1 error, 1 leaves');
    return items.find((i) => i.node.name === 'broken');
  });
  const ed = vscode.window.activeTextEditor;
  await vscode.commands.executeCommand('marathon.ui.goToNode');
  assert.equal(ed.selection.active.line, 22);
  assert.ok(vscode.calls.some((c) => c.api === 'revealRange' && c.args[0].start.line === 22));
});

test('a server error other than "not found" is shown, with no fallback', async () => {
  vscode.externalCommands.set('marathon.dag', () => { throw new Error('Invalid params: uri is not open'); });
  vscode.window.activeTextEditor = vscode.fakeEditor(FILE, 16, 0);
  await vscode.commands.executeCommand('marathon.ui.goToNode');
  assert.deepEqual(messages('showErrorMessage'), ['Blueprint DAG: Invalid params: uri is not open']);
  assert.ok(!vscode.calls.some((c) => c.api === 'showQuickPick'));
});

test('status updates the status bar; cancel offers all or one active job', async () => {
  fakeServer();
  await ext.refreshStatus();
  assert.equal(vscode.statusBarItems.at(-1).text, '$(sync~spin) marathon: 1 running');
  vscode.answers.quickPick.push((_m: string, items: any[]) => {
    assert.deepEqual(items.map((i) => i.jobId), [undefined, 'j1']);
    return items[1];
  });
  await vscode.commands.executeCommand('marathon.ui.cancel');
  assert.deepEqual(serverCalls().find((c) => c[0] === 'marathon.cancel'), ['marathon.cancel', { jobId: 'j1' }]);
  vscode.calls.length = 0;
  vscode.answers.quickPick.push((_m: string, items: any[]) => items[0]);
  await vscode.commands.executeCommand('marathon.ui.cancel');
  assert.deepEqual(serverCalls().find((c) => c[0] === 'marathon.cancel'), ['marathon.cancel', {}]);
  assert.ok(messages().includes('Cancelled 2 job(s).'));
  vscode.externalCommands.clear();
  await ext.refreshStatus();
  assert.match(vscode.statusBarItems.at(-1).text, /circle-slash/);
});

test('enableShim asks, writes lean4.envPathExtensions for the workspace only on yes, offers a restart', async () => {
  const shim = makeShimDir();
  // Point proxyPath at PREFIX/bin/lsp-proxy with PREFIX/share/lsp-proxy/shim/lake beside it.
  const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'marathon-prefix-'));
  fs.mkdirSync(path.join(prefix, 'bin'));
  fs.writeFileSync(path.join(prefix, 'bin', 'lsp-proxy'), '', { mode: 0o755 });
  const dir = path.join(prefix, 'share', 'lsp-proxy', 'shim');
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(path.join(shim, 'lake'), path.join(dir, 'lake'));
  vscode.setConfig('marathon', 'proxyPath', { workspaceValue: path.join(prefix, 'bin', 'lsp-proxy') });
  vscode.setConfig('lean4', 'envPathExtensions', { workspaceValue: ['/x'] });

  vscode.answers.message.push(undefined); // "No" to the modal question
  await vscode.commands.executeCommand('marathon.ui.enableShim');
  assert.ok(!vscode.calls.some((c) => c.api === 'configuration.update'));
  const q = vscode.calls.find((c) => c.api === 'showWarningMessage')!;
  assert.match(q.args[0], new RegExp(`^Add ${dir} to lean4.envPathExtensions`));
  assert.deepEqual(q.args[1], { modal: true });

  vscode.calls.length = 0;
  vscode.externalCommands.set('lean4.restartServer', () => undefined);
  vscode.answers.message.push('Enable', 'Restart Lean server');
  await vscode.commands.executeCommand('marathon.ui.enableShim');
  assert.deepEqual(vscode.calls.find((c) => c.api === 'configuration.update')!.args,
    ['lean4.envPathExtensions', [dir, '/x'], vscode.ConfigurationTarget.Workspace]);
  assert.ok(serverCalls().some((c) => c[0] === 'lean4.restartServer'));

  vscode.calls.length = 0;
  vscode.answers.message.push('Disable', undefined);
  await vscode.commands.executeCommand('marathon.ui.disableShim');
  assert.deepEqual(vscode.calls.find((c) => c.api === 'configuration.update')!.args,
    ['lean4.envPathExtensions', ['/x'], vscode.ConfigurationTarget.Workspace]);
  assert.ok(!serverCalls().some((c) => c[0] === 'lean4.restartServer'));
});
