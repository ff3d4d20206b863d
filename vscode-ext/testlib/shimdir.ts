import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** A temporary directory holding a `lake` that looks like lsp-proxy/lake-shim (or not). */
export function makeShimDir(real = true): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'marathon-shim-'));
  fs.writeFileSync(path.join(d, 'lake'), real
    ? '#!/bin/sh\n# lake shim for editors: `lake [+TOOLCHAIN] serve [ARGS...]` runs as\nexit 0\n'
    : '#!/bin/sh\necho the real lake\n', { mode: 0o755 });
  return d;
}
