// The DAG without a Lean server: `lsp-proxy dag --format json FILE` (shared/INTERFACE.md).
import { execFile } from 'child_process';
import { Dag, parseDag } from './dag';

export type ExecFileFn = (
  file: string, args: string[], opts: { timeout: number; maxBuffer: number },
  cb: (err: (Error & { code?: unknown }) | null, stdout: string, stderr: string) => void) => void;

const defaultExec: ExecFileFn = (file, args, opts, cb) =>
  execFile(file, args, { ...opts, encoding: 'utf8' }, (err, stdout, stderr) => cb(err, stdout, stderr));

export function dagArgs(file: string): string[] {
  return ['dag', '--format', 'json', file];
}

export function runDagCli(proxyPath: string, file: string, exec: ExecFileFn = defaultExec,
                          timeoutMs = 30000): Promise<Dag> {
  return new Promise((resolve, reject) => {
    exec(proxyPath || 'lsp-proxy', dagArgs(file), { timeout: timeoutMs, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => {
        if (err) {
          const why = (err as { code?: unknown }).code === 'ENOENT'
            ? `${proxyPath} not found (setting marathon.proxyPath)`
            : (stderr || err.message).trim().split('\n')[0];
          reject(new Error(`lsp-proxy dag failed: ${why}`));
          return;
        }
        try {
          resolve(parseDag(stdout));
        } catch (e) {
          reject(new Error(`lsp-proxy dag printed no DAG: ${(e as Error).message}`));
        }
      });
  });
}
