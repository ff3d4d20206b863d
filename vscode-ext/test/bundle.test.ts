// dist/extension.js (the esbuild bundle named by package.json "main") loads and activates.
import '../testlib/vscode-hook';
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from '../testlib/fake-vscode';

const root = path.resolve(__dirname, '..', '..');
const main = path.join(root, JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).main);

test('the bundle exists, requires nothing but vscode and node built-ins, and activates', () => {
  assert.ok(fs.existsSync(main), `${main} missing: run npm run build`);
  const text = fs.readFileSync(main, 'utf8');
  const reqs = new Set([...text.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]));
  for (const r of reqs) assert.ok(r === 'vscode' || /^(node:)?(fs|os|path|child_process|crypto)$/.test(r), `bundle requires ${r}`);
  vscode.reset();
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const ext = require(main);
  const ctx = vscode.makeContext();
  const before = vscode.commands.registered().length;
  ext.activate(ctx);
  assert.ok(vscode.commands.registered().includes('marathon.ui.proveAtCursor'));
  assert.equal(vscode.commands.registered().length - before, 10);
  for (const d of ctx.subscriptions) d.dispose();
});

test('dist/webview.js (the DAG view page) is built, self-contained, and packaged', () => {
  const web = path.join(root, 'dist', 'webview.js');
  assert.ok(fs.existsSync(web), `${web} missing: run npm run build`);
  const text = fs.readFileSync(web, 'utf8');
  assert.ok(!/\brequire\("/.test(text), 'the page bundle requires nothing at run time');
  assert.ok(!/\bimportScripts\(|\bfetch\(/.test(text), 'the page bundle fetches nothing');
  // vsce packs only what .vscodeignore lets through: both bundles must be.
  const allowed = fs.readFileSync(path.join(root, '.vscodeignore'), 'utf8').split('\n').filter((l) => l.startsWith('!')).map((l) => l.slice(1));
  for (const f of ['dist/extension.js', 'dist/webview.js', 'package.json', 'README.md', 'THIRD-PARTY-NOTICES.md']) assert.ok(allowed.includes(f), `.vscodeignore keeps ${f}`);
});
