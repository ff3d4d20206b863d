// package.json's contributes.configuration against shared/INTERFACE.md, parsed here, plus
// the settings README.md lists beyond it, and against the settings the proxy itself reads
// (`lsp-proxy settings`, with LSP_PROXY_BIN). A checkout without shared/ checks against the
// proxy alone.
import '../testlib/vscode-hook';
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import * as os from 'os';
import { execFileSync } from 'child_process';

const root = path.resolve(__dirname, '..', '..');
const interfacePath = process.env.MARATHON_INTERFACE_MD ??
  path.resolve(root, '..', '..', 'shared', 'INTERFACE.md');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const props: Record<string, any> = pkg.contributes.configuration.properties;

interface Spec { key: string; defaultCell: string; meaning: string; derived?: boolean }

/** The rows of the "## Settings" table plus the settings named in the agents' details,
 *  e.g. "(setting `llm.anthropicVersion`, default `2023-06-01`)", "`llm.retries` (default 3)". */
export function interfaceSettings(md: string): Spec[] {
  const out = settingsTable(md, 'INTERFACE.md');
  const re = /`([a-z]+\.[A-Za-z]+)`(?:,|\s*\()\s*default\s+(`?)([^`),\s]+)`?/g;
  for (let m; (m = re.exec(md));)
    if (!out.some((s) => s.key === m![1])) out.push({ key: m[1], defaultCell: m[2] + m[3] + m[2], meaning: '' });
  return out;
}

/** The `| \`key\` | default | meaning |` rows of a document's "## Settings" section. */
export function settingsTable(md: string, what: string): Spec[] {
  const out: Spec[] = [];
  const sec = md.split(/^## Settings\s*$/m)[1]?.split(/^## /m)[0];
  assert.ok(sec, `${what} has a "## Settings" section`);
  for (const line of sec.split('\n')) {
    const m = /^\|\s*`([A-Za-z.]+)`\s*\|\s*(.*?)\s*\|\s*(.*?)\s*\|\s*$/.exec(line);
    if (m) out.push({ key: m[1], defaultCell: m[2], meaning: m[3] });
  }
  return out;
}

/** A default cell that is one literal (`"tactics"`, 120000, true, `["rfl",…]`, `2023-06-01`)
 *  gives that value; prose ("provider's", "none", "true when …") gives undefined. */
function literalDefault(cell: string): { value: unknown } | undefined {
  let m = /^`([^`]+)`$/.exec(cell);
  const text = m ? m[1] : cell;
  if (!m && !/^(-?\d+|true|false)$/.test(text)) return undefined;
  try { return { value: JSON.parse(text) }; } catch { return m ? { value: text } : undefined; }
}

/** The proxy's own list: `lsp-proxy settings` in a directory with no project, no MARATHON_*
 *  variables: every key with its built-in default (null: derived at run time). */
function proxySettings(): Spec[] | undefined {
  const bin = process.env.LSP_PROXY_BIN;
  if (!bin) return undefined;
  const out = execFileSync(path.resolve(bin), ['settings', path.join(os.tmpdir(), 'no-project-here')],
    { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, encoding: 'utf8' });
  return (JSON.parse(out) as { key: string; value: unknown; values?: string[] }[]).map((e) => ({
    key: e.key,
    defaultCell: e.value === null ? '' : '`' + JSON.stringify(e.value).replace(/^"(.*)"$/, '$1') + '`',
    meaning: (e.values ?? []).map((v) => '`' + v + '`').join(' '),
    derived: e.value === null,
  }));
}

const md = fs.existsSync(interfacePath) ? fs.readFileSync(interfacePath, 'utf8') : undefined;
const fromProxy = proxySettings();
// The settings the proxy reads beyond shared/INTERFACE.md, in README.md's own table: shared/
// is the contract as filed, the README is where this checkout documents what it adds.
const readmeExtras = settingsTable(fs.readFileSync(path.join(root, '..', 'README.md'), 'utf8'), 'README.md');
const mdSpecs = md ? [...interfaceSettings(md), ...readmeExtras.filter((r) => !interfaceSettings(md).some((s) => s.key === r.key))] : undefined;
const specs: Spec[] = mdSpecs ?? fromProxy ?? [];
const noSource = specs.length === 0 ? 'neither shared/INTERFACE.md nor LSP_PROXY_BIN is available' : false;
const noMd = md ? false : `shared/INTERFACE.md is not at ${interfacePath}`;

test('README.md lists settings beyond INTERFACE.md only', () => {
  assert.ok(readmeExtras.length >= 1, 'README.md\'s "## Settings" has its table');
  if (md) for (const r of readmeExtras)
    assert.ok(!interfaceSettings(md).some((s) => s.key === r.key), `${r.key} is in INTERFACE.md already: drop it from README.md's table`);
});

test('the proxy reads exactly the settings INTERFACE.md and README.md list', { skip: noMd || (fromProxy ? false : 'LSP_PROXY_BIN not set') }, () => {
  assert.deepEqual(fromProxy!.map((s) => s.key).sort(), mdSpecs!.map((s) => s.key).sort());
  for (const p of fromProxy!) {
    const m = mdSpecs!.find((x) => x.key === p.key)!;
    const lit = literalDefault(m.defaultCell);
    if (lit && !p.derived)
      assert.deepEqual(literalDefault(p.defaultCell)?.value, lit.value, `${p.key}: the proxy's default is INTERFACE.md's`);
  }
});

test('INTERFACE.md parses to the settings it lists', { skip: noMd }, () => {
  const keys = specs.map((s) => s.key);
  for (const k of ['llm.provider', 'agents.tactics', 'onSave', 'stateDir', 'llm.retries', 'llm.anthropicVersion'])
    assert.ok(keys.includes(k), `${k} parsed from INTERFACE.md (got ${keys.join(', ')})`);
  assert.ok(specs.length >= 20, `at least 20 settings, got ${specs.length}`);
});

test('every setting is contributed under marathon.* with its default', { skip: noSource }, () => {
  for (const s of specs) {
    const p = props[`marathon.${s.key}`];
    assert.ok(p, `marathon.${s.key} missing from package.json`);
    const desc: string = p.markdownDescription ?? p.description ?? '';
    assert.ok(desc.length > 10, `marathon.${s.key} has a description`);
    const lit = literalDefault(s.defaultCell);
    // Every default is null, meaning "not named": VS Code's answer to workspace/configuration
    // holds the defaults too, and a literal one would override .marathon.json. The proxy applies
    // its built-in default, which the description states after "Default (null): ".
    assert.equal(p.default, null, `marathon.${s.key}: default must be null`);
    assert.ok(Array.isArray(p.type) && p.type.includes('null'), `marathon.${s.key} accepts null`);
    if (p.enum) assert.ok(p.enum.includes(null), `marathon.${s.key} enum holds null`);
    if (lit) {
      const m = /Default \(null\): (`[^`]+`|[^\s.]+)/.exec(desc);
      assert.ok(m, `marathon.${s.key} description says "Default (null): ${s.defaultCell}"`);
      assert.deepEqual(literalDefault(m![1])?.value, lit.value, `marathon.${s.key} description states INTERFACE.md's default ${s.defaultCell}`);
    } else if (s.derived) {
      assert.ok(desc.includes('Default (null): '), `marathon.${s.key} description says what the default is`);
    } else {
      // The proxy derives it, and the description says the rule.
      assert.ok(desc.includes(`Default (null): ${s.defaultCell}`), `marathon.${s.key} description quotes INTERFACE.md's default "${s.defaultCell}"`);
    }
    const types = ([] as string[]).concat(p.type);
    const v = lit?.value;
    if (typeof v === 'number') assert.ok(types.includes('integer'), `marathon.${s.key} is an integer`);
    if (typeof v === 'boolean') assert.ok(types.includes('boolean'), `marathon.${s.key} is a boolean`);
    if (Array.isArray(v)) assert.ok(types.includes('array'), `marathon.${s.key} is an array`);
    if (typeof v === 'string') assert.ok(types.includes('string'), `marathon.${s.key} is a string`);
    if (p.enum) {
      if (lit) assert.ok(p.enum.includes(lit.value), `marathon.${s.key} enum holds the default`);
      // (the proxy's list names the values of its own enums only; provider, scope and
      // authStyle are strings it checks when it uses them)
      if (s.meaning) for (const e of p.enum.filter((x: unknown) => x !== null && x !== lit?.value))
        assert.ok(s.meaning.includes(`\`${e}\``) || s.meaning.includes(`\`"${e}"\``), `marathon.${s.key}: enum value ${e} is in INTERFACE.md's meaning`);
    }
  }
});

test('enums of INTERFACE.md: every backticked choice of provider, onSave, scope and profile', { skip: noMd }, () => {
  for (const key of ['llm.provider', 'onSave', 'review.scope', 'blueprint.profile']) {
    const s = specs.find((x) => x.key === key)!;
    const choices = [...(s.meaning + ' ' + s.defaultCell).matchAll(/`"?([a-z]+)"?`/g)].map((m) => m[1]);
    assert.ok(choices.length >= 2, `${key} has choices in INTERFACE.md`);
    for (const c of choices)
      assert.ok(props[`marathon.${key}`].enum.includes(c), `marathon.${key} enum has ${c}`);
  }
});

test('no contributed setting beyond the proxy\'s own except proxyPath', { skip: noSource }, () => {
  const known = new Set(specs.map((s) => `marathon.${s.key}`));
  const extra = Object.keys(props).filter((k) => !known.has(k));
  assert.deepEqual(extra, ['marathon.proxyPath']);
});

test('no setting holds an API key; the key variable is named instead', () => {
  for (const k of Object.keys(props))
    assert.ok(!/apiKey$|token$|secret/i.test(k), `${k} looks like a secret`);
  const desc = props['marathon.llm.provider'].markdownDescription + props['marathon.llm.apiKeyEnv'].markdownDescription;
  for (const v of ['MARATHON_API_KEY', 'OPENAI_API_KEY', 'ANTHROPIC_API_KEY'])
    assert.ok(desc.includes(v), `descriptions name ${v}`);
});

test('package.json manifest: engine, bundle, dependency on vscode-lean4, commands and menus', () => {
  assert.match(pkg.engines.vscode, /^\^1\.\d+\.\d+$/);
  assert.equal(pkg.main, './dist/extension.js');
  assert.deepEqual(pkg.extensionDependencies, ['leanprover.lean4']);
  const ids = pkg.contributes.commands.map((c: any) => c.command);
  // Palette commands never shadow the server's own marathon.prove, marathon.dag, ...
  for (const id of ids) assert.match(id, /^marathon\.ui\./);
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { UI_COMMANDS } = require('../src/extension');
  assert.deepEqual([...ids].sort(), [...UI_COMMANDS].sort());
  const ctx = pkg.contributes.menus['editor/context'];
  assert.ok(ctx.length >= 4);
  for (const m of ctx) {
    assert.equal(m.when, 'editorLangId == lean4');
    assert.ok(ids.includes(m.command));
  }
});
