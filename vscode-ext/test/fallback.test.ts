import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { ExecFileFn, dagArgs, runDagCli } from '../src/fallback';
import { sampleDag } from '../testlib/fixtures';

const repoRoot = path.resolve(__dirname, '..', '..', '..');

test('runDagCli runs `PROXY dag --format json FILE` and parses stdout', async () => {
  const seen: Array<[string, string[]]> = [];
  const exec: ExecFileFn = (file, args, _o, cb) => { seen.push([file, args]); cb(null, JSON.stringify(sampleDag()), ''); };
  const d = await runDagCli('/opt/bin/lsp-proxy', '/p/Main.lean', exec);
  assert.deepEqual(seen, [['/opt/bin/lsp-proxy', ['dag', '--format', 'json', '/p/Main.lean']]]);
  assert.equal(d.nodes.length, 5);
  assert.deepEqual(dagArgs('x y.lean'), ['dag', '--format', 'json', 'x y.lean']);
});

test('runDagCli: a missing binary, a failing run and garbage output are errors that say so', async () => {
  const enoent: ExecFileFn = (_f, _a, _o, cb) => cb(Object.assign(new Error('spawn x ENOENT'), { code: 'ENOENT' }), '', '');
  await assert.rejects(runDagCli('nope', 'f.lean', enoent), /nope not found \(setting marathon.proxyPath\)/);
  const fails: ExecFileFn = (_f, _a, _o, cb) => cb(Object.assign(new Error('exit 2'), { code: 2 }), '', 'lsp-proxy: f.lean: No such file\nmore');
  await assert.rejects(runDagCli('lsp-proxy', 'f.lean', fails), /lsp-proxy dag failed: lsp-proxy: f.lean: No such file$/);
  const junk: ExecFileFn = (_f, _a, _o, cb) => cb(null, 'hello', '');
  await assert.rejects(runDagCli('lsp-proxy', 'f.lean', junk), /printed no DAG/);
  await assert.rejects(runDagCli(path.join(repoRoot, 'no-such-binary'), 'f.lean'), /not found/);
});

const bin = process.env.LSP_PROXY_BIN;
test('the real binary: lsp-proxy dag --format json examples/number_theory.lean', { skip: bin ? false : 'LSP_PROXY_BIN is not set' }, async () => {
  const file = path.join(repoRoot, 'examples', 'number_theory.lean');
  assert.ok(fs.existsSync(file), file);
  const d = await runDagCli(path.resolve(bin!), file); // LSP_PROXY_BIN: relative to the cwd
  assert.equal(d.uri, 'file://' + file);
  assert.ok(d.nodes.length >= 5, `${d.nodes.length} nodes`);
  const byName = new Map(d.nodes.map((n) => [n.name, n]));
  const def = byName.get('one_mod_four');
  assert.equal(def?.kind, 'definition');
  assert.equal(def?.leaf, false);
  const lem = byName.get('odd_prime_mod_four');
  assert.equal(lem?.kind, 'lemma');
  assert.ok(lem?.deps.includes('mod_four_of_odd'));
  for (const n of d.nodes) {
    assert.ok(['theorem', 'lemma', 'definition'].includes(n.kind), n.name);
    assert.ok(n.range.start.line <= n.range.end.line, n.name);
    for (const dep of n.deps) assert.ok(byName.has(dep), `${n.name} uses ${dep}, a node of the file`);
  }
  assert.equal(d.summary?.nodes, d.nodes.length);
  // The text of the file at a node's start is that node's attribute or declaration.
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  assert.match(lines[lem!.range.start.line], /^@\[blueprint|lemma|theorem/);
});
