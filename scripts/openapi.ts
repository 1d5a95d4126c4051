import 'reflect-metadata';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp, openApiDocument } from '../src/app.js';
import { loadConfig } from '../src/config/config.js';

/**
 * Writes the OpenAPI document generated from the application to `openapi.json`, the committed
 * copy that the test suite compares with what the running service serves.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'certflow-openapi-'));
  try {
    const app = await createApp(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'error' }, root), { logger: false });
    const document = openApiDocument(app);
    await app.close();
    writeFileSync(join(root, 'openapi.json'), `${JSON.stringify(document, null, 2)}\n`);
    process.stdout.write(`wrote ${join(root, 'openapi.json')}\n`);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
