import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type RequestHandler } from 'express';

/**
 * The web console's static files (plain HTML, CSS and ES modules; no build step). They stay in
 * `src/console/public/` and are never compiled, so the compiled service (`dist/src/...`) and the
 * tests (ts-jest from `src/`) find them the same way: relative to the installation directory, the
 * nearest folder above this module that holds `package.json`.
 */
export function consoleAssetsDir(from = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'src', 'console', 'public');
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}: cannot locate the console`);
  }
}

/**
 * Serves the console at `/`; everything else falls through to the API. API paths skip the file
 * lookup entirely (it would cost a filesystem call on every API request).
 */
export function consoleStatic(dir = consoleAssetsDir()): RequestHandler {
  const files = express.static(dir, { index: 'index.html', fallthrough: true, redirect: false });
  return (req, res, next) => (req.path.startsWith('/api/') ? next() : files(req, res, next));
}
