// Makes `require('vscode')` (from the compiled extension) load the fake module.
import * as path from 'path';
// eslint-disable-next-line @typescript-eslint/no-var-requires
const Module = require('module');
const fake = path.join(__dirname, 'fake-vscode.js');
const orig = Module._resolveFilename;
Module._resolveFilename = function (request: string, ...rest: unknown[]) {
  if (request === 'vscode') return fake;
  return orig.call(this, request, ...rest);
};
