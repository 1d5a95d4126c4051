import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadContent } from '../src/content/content-loader.js';
import { ContentError } from '../src/content/content-problem.js';

/**
 * `npm run content:check [-- <content dir>]`: validates rules/ and workflows/ exactly as the
 * service does at start, without starting it. The directory is the argument, else CONTENT_DIR,
 * else the repository. Exits 1 with the same message the service would stop with.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const contentDir = resolve(process.argv[2] ?? process.env.CONTENT_DIR ?? root);

try {
  const content = loadContent(contentDir);
  process.stdout.write(
    `content is valid: ${content.files.length} files, ${content.regimes.size} regimes, ` +
      `${content.workflows.size} workflows, ${content.evidenceKinds.size} evidence kinds, ` +
      `${content.parameters.size} parameters, ${content.impactRules.length} impact rules ` +
      `(${contentDir}, version ${content.version})\n`,
  );
} catch (error) {
  if (!(error instanceof ContentError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 1;
}
