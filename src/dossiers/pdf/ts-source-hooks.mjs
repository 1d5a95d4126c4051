// Module hooks that let Node run this project's TypeScript sources directly, for the one place
// that needs it: a worker thread started from Jest (ts-jest transforms the test's own modules
// in-process, but a Worker is a fresh Node instance that Jest does not transform). Compiled
// builds never load this file; `DossierRenderer` starts the compiled `render-worker.js` there.
//
// Transpile only, like ts-jest with `isolatedModules`: types are checked by `npm run typecheck`.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath, URL } from 'node:url';
import ts from 'typescript';

const compilerOptions = {
  module: ts.ModuleKind.ESNext,
  target: ts.ScriptTarget.ES2023,
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
  useDefineForClassFields: false,
  esModuleInterop: true,
  inlineSourceMap: true,
  inlineSources: true,
};

// Sources import each other as './x.js' (ESM with nodenext); from a .ts file, that means './x.ts'.
export async function resolve(specifier, context, nextResolve) {
  if (context.parentURL?.endsWith('.ts') && /^\.\.?\//.test(specifier) && specifier.endsWith('.js')) {
    const source = new URL(`${specifier.slice(0, -3)}.ts`, context.parentURL);
    if (existsSync(source)) return { url: source.href, format: 'module', shortCircuit: true };
  }
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  if (!url.endsWith('.ts')) return nextLoad(url, context);
  const path = fileURLToPath(url);
  const { outputText } = ts.transpileModule(await readFile(path, 'utf8'), {
    fileName: path,
    compilerOptions,
  });
  return { format: 'module', source: outputText, shortCircuit: true };
}
