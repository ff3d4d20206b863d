import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RESTART, ShimUi, disableShim, enableShim, findShimDir, isShimDir, shimCandidates, whichSync } from '../src/shim';
import { makeShimDir } from '../testlib/shimdir';

function fakeUi(opts: { ext?: string[]; confirm?: boolean; restart?: boolean; pick?: string }) {
  const log: string[] = [];
  let ext = opts.ext;
  const ui: ShimUi = {
    getWorkspaceExtensions: () => ext,
    setWorkspaceExtensions: async (v) => { log.push(`set ${JSON.stringify(v)}`); ext = v; },
    confirm: async (m) => { log.push(`confirm ${m}`); return !!opts.confirm; },
    info: async (m, ...a) => { log.push(`info ${m}`); return opts.restart && a.includes(RESTART) ? RESTART : undefined; },
    error: (m) => { log.push(`error ${m}`); },
    restartServer: async () => { log.push('restart'); },
    pickFolder: async () => { log.push('pick'); return opts.pick; },
  };
  return { ui, log, ext: () => ext };
}

test('isShimDir tells the shim from a real lake and from nothing', () => {
  assert.equal(isShimDir(makeShimDir(true)), true);
  assert.equal(isShimDir(makeShimDir(false)), false);
  assert.equal(isShimDir('/nonexistent/dir'), false);
});

test('enableShim asks first and writes nothing on no', async () => {
  const dir = makeShimDir();
  const f = fakeUi({ ext: ['/other'], confirm: false });
  assert.equal(await enableShim(f.ui, dir), 'declined');
  assert.ok(f.log[0].startsWith(`confirm Add ${dir} to lean4.envPathExtensions`));
  assert.ok(!f.log.some((l) => l.startsWith('set')), f.log.join('\n'));
  assert.deepEqual(f.ext(), ['/other']);
});

test('enableShim on yes puts the shim first, then offers a restart', async () => {
  const dir = makeShimDir();
  const f = fakeUi({ ext: ['/other'], confirm: true, restart: true });
  assert.equal(await enableShim(f.ui, dir), 'enabled');
  assert.deepEqual(f.ext(), [dir, '/other']);
  assert.deepEqual(f.log.map((l) => l.split(' ')[0]), ['confirm', 'set', 'info', 'restart']);
  const g = fakeUi({ confirm: true, restart: false });
  assert.equal(await enableShim(g.ui, dir), 'enabled');
  assert.deepEqual(g.ext(), [dir]);
  assert.ok(!g.log.includes('restart'));
});

test('enableShim: already there, a folder without the shim, none found and picking', async () => {
  const dir = makeShimDir();
  const a = fakeUi({ ext: [dir], confirm: true });
  assert.equal(await enableShim(a.ui, dir), 'already');
  assert.ok(!a.log.some((l) => l.startsWith('set') || l.startsWith('confirm')));
  const b = fakeUi({ confirm: true });
  assert.equal(await enableShim(b.ui, makeShimDir(false)), 'not-found');
  assert.ok(b.log.some((l) => l.startsWith('error') && l.includes('holds no lake shim')));
  assert.equal(b.ext(), undefined);
  const c = fakeUi({ confirm: true });
  assert.equal(await enableShim(c.ui, undefined), 'not-found');
  assert.deepEqual(c.log.map((l) => l.split(' ')[0]), ['pick', 'error']);
  const d = fakeUi({ confirm: true, pick: dir });
  assert.equal(await enableShim(d.ui, undefined), 'enabled');
  assert.deepEqual(d.ext(), [dir]);
});

test('disableShim removes only shim folders, after asking; the last one unsets the setting', async () => {
  const dir = makeShimDir();
  const other = makeShimDir(false);
  const no = fakeUi({ ext: [dir, other], confirm: false });
  assert.equal(await disableShim(no.ui, dir), 'declined');
  assert.deepEqual(no.ext(), [dir, other]);
  const yes = fakeUi({ ext: [dir, other], confirm: true });
  assert.equal(await disableShim(yes.ui, undefined), 'disabled');
  assert.deepEqual(yes.ext(), [other]);
  const last = fakeUi({ ext: [dir], confirm: true });
  assert.equal(await disableShim(last.ui, dir), 'disabled');
  assert.equal(last.ext(), undefined);
  const none = fakeUi({ ext: [other], confirm: true });
  assert.equal(await disableShim(none.ui, dir), 'none');
  assert.ok(!none.log.some((l) => l.startsWith('confirm')));
});

test('shim candidates: next to the proxy (PREFIX/share/lsp-proxy/shim), then XDG data home', () => {
  const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'marathon-prefix-'));
  fs.mkdirSync(path.join(prefix, 'bin'));
  fs.writeFileSync(path.join(prefix, 'bin', 'lsp-proxy'), '', { mode: 0o755 });
  const shim = path.join(prefix, 'share', 'lsp-proxy', 'shim');
  const env = { PATH: `/nonexistent:${path.join(prefix, 'bin')}`, HOME: '/home/nobody', XDG_DATA_HOME: '/xdg' };
  assert.equal(whichSync('lsp-proxy', env.PATH), path.join(prefix, 'bin', 'lsp-proxy'));
  assert.deepEqual(shimCandidates('lsp-proxy', env).slice(0, 2), [shim, '/xdg/lsp-proxy/shim']);
  assert.equal(findShimDir('lsp-proxy', env), undefined);
  fs.mkdirSync(shim, { recursive: true });
  fs.copyFileSync(path.join(makeShimDir(), 'lake'), path.join(shim, 'lake'));
  assert.equal(findShimDir('lsp-proxy', env), shim);
  assert.equal(findShimDir(path.join(prefix, 'bin', 'lsp-proxy'), { HOME: '/h' }), shim);
});
