// Enable/disable the lake shim for a workspace by editing `lean4.envPathExtensions`
// (shared/lean-lsp-facts.md §1.2: the only hook vscode-lean4 offers). Pure logic with the
// editor's side effects injected, so the tests drive it without VS Code.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** The first line that marks lsp-proxy/lake-shim (installed as `lake`). */
export const SHIM_MARKER = 'lake shim for editors';

export interface FsLike {
  existsSync(p: string): boolean;
  readFileSync(p: string, enc: 'utf8'): string;
}

export function isShimDir(dir: string, fsl: FsLike = fs): boolean {
  try {
    return fsl.readFileSync(path.join(dir, 'lake'), 'utf8').slice(0, 4096).includes(SHIM_MARKER);
  } catch {
    return false;
  }
}

/** Resolves a command name on PATH (a path with a slash is returned as is). */
export function whichSync(cmd: string, envPath: string | undefined, fsl: FsLike = fs): string | undefined {
  if (cmd.includes('/')) return fsl.existsSync(cmd) ? cmd : undefined;
  for (const d of (envPath ?? '').split(path.delimiter)) {
    if (!d) continue;
    const p = path.join(d, cmd);
    if (fsl.existsSync(p)) return p;
  }
  return undefined;
}

/** Where the shim may be installed, best first: next to the proxy (`make install` puts it in
 * PREFIX/share/lsp-proxy/shim), the user's ~/.local, then the source tree's build. */
export function shimCandidates(proxyPath: string, env: NodeJS.ProcessEnv, fsl: FsLike = fs): string[] {
  const out: string[] = [];
  const proxy = whichSync(proxyPath || 'lsp-proxy', env.PATH, fsl);
  if (proxy) {
    const bin = path.dirname(proxy);
    out.push(path.resolve(bin, '..', 'share', 'lsp-proxy', 'shim'));
    // A source checkout: build/release/lsp-proxy next to lsp-proxy/lake-shim is not a
    // directory holding `lake`, so it is not a candidate; `make install` is needed.
  }
  const home = env.HOME || os.homedir();
  const data = env.XDG_DATA_HOME || path.join(home, '.local', 'share');
  out.push(path.join(data, 'lsp-proxy', 'shim'));
  out.push('/usr/local/share/lsp-proxy/shim');
  return [...new Set(out)];
}

export function findShimDir(proxyPath: string, env: NodeJS.ProcessEnv, fsl: FsLike = fs): string | undefined {
  return shimCandidates(proxyPath, env, fsl).find((d) => isShimDir(d, fsl));
}

/** The editor operations the shim commands need. */
export interface ShimUi {
  /** The workspace value of lean4.envPathExtensions (undefined when unset). */
  getWorkspaceExtensions(): string[] | undefined;
  setWorkspaceExtensions(v: string[] | undefined): Promise<void>;
  /** Asks a yes/no question; true only for an explicit yes. */
  confirm(message: string, yes: string): Promise<boolean>;
  info(message: string, ...actions: string[]): Promise<string | undefined>;
  error(message: string): void;
  restartServer(): Promise<void>;
  /** Lets the user pick the shim folder when none is found; undefined = cancelled. */
  pickFolder(): Promise<string | undefined>;
}

export const RESTART = 'Restart Lean server';

export type ShimOutcome = 'enabled' | 'disabled' | 'already' | 'declined' | 'not-found' | 'none';

async function offerRestart(ui: ShimUi, what: string): Promise<void> {
  const a = await ui.info(`${what} The Lean server uses it after a restart.`, RESTART);
  if (a === RESTART) await ui.restartServer();
}

export async function enableShim(ui: ShimUi, shimDir: string | undefined, fsl: FsLike = fs): Promise<ShimOutcome> {
  let dir = shimDir;
  if (!dir) {
    dir = await ui.pickFolder();
    if (!dir) {
      ui.error('No lake shim found. Install it with `make install` (PREFIX/share/lsp-proxy/shim/lake) or pick its folder.');
      return 'not-found';
    }
  }
  if (!isShimDir(dir, fsl)) {
    ui.error(`${dir} holds no lake shim (a file named \`lake\` copied from lsp-proxy/lake-shim).`);
    return 'not-found';
  }
  const cur = ui.getWorkspaceExtensions() ?? [];
  if (cur.includes(dir)) {
    await ui.info(`The lake shim ${dir} is already in lean4.envPathExtensions for this workspace.`);
    return 'already';
  }
  const ok = await ui.confirm(
    `Add ${dir} to lean4.envPathExtensions for this workspace? The Lean server will then run through lsp-proxy.`,
    'Enable');
  if (!ok) return 'declined';
  await ui.setWorkspaceExtensions([dir, ...cur]);
  await offerRestart(ui, `Added ${dir} to lean4.envPathExtensions.`);
  return 'enabled';
}

export async function disableShim(ui: ShimUi, shimDir: string | undefined, fsl: FsLike = fs): Promise<ShimOutcome> {
  const cur = ui.getWorkspaceExtensions() ?? [];
  const drop = cur.filter((d) => d === shimDir || isShimDir(d, fsl));
  if (drop.length === 0) {
    await ui.info('No lake shim is in lean4.envPathExtensions for this workspace.');
    return 'none';
  }
  const ok = await ui.confirm(
    `Remove ${drop.join(', ')} from lean4.envPathExtensions for this workspace? The Lean server will run without lsp-proxy.`,
    'Disable');
  if (!ok) return 'declined';
  const rest = cur.filter((d) => !drop.includes(d));
  await ui.setWorkspaceExtensions(rest.length ? rest : undefined);
  await offerRestart(ui, `Removed the lake shim from lean4.envPathExtensions.`);
  return 'disabled';
}
