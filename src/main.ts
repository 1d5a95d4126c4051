import 'reflect-metadata';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config/config.js';
import { ContentError } from './content/content-problem.js';

/** The installation directory: holds rules/ and workflows/ (two levels above dist/src/main.js). */
const installDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

async function main(): Promise<void> {
  // Evidence, the database and the admin token are for this service's user only: files it
  // creates are 0600 and folders 0700.
  process.umask(0o077);
  const config = loadConfig(process.env, installDir);
  const app = await createApp(config);
  await app.listen(config.port, config.host);
  // Always said, whatever the log level: with PORT=0 it is the only way to learn the port.
  const { port } = app.getHttpServer().address() as { port: number };
  process.stdout.write(`certflow listening on http://${config.host}:${port}\n`);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof ContentError) {
    process.stderr.write(`certflow cannot start: ${error.message}\n`);
  } else {
    process.stderr.write(
      `certflow cannot start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  }
  process.exit(1);
});
