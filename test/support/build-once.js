// Jest global setup: compile the service once, so tests that need real service processes
// (several instances on one database, crash recovery) can start `node dist/src/main.js`.
// Type errors do not stop the emit and are reported by `npm run typecheck`, which `npm test`
// runs before Jest; here they are only mentioned.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export default function buildOnce() {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    process.stderr.write(
      `\nbuild-once: tsc reported errors (see npm run typecheck); compiled output may be stale\n`,
    );
  }
}
