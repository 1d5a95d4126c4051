import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { readAttributes } from './attributes-loader.js';
import type { Content } from './content.js';
import { ContentError, ProblemCollector } from './content-problem.js';
import { readEvidenceKinds } from './evidence-kinds.js';
import { checkRouteWorkflows } from './regimes.js';
import { readRules } from './rules-loader.js';
import { readWorkflows } from './workflows-loader.js';

/** Content folders below the content directory. */
export const CONTENT_FOLDERS = ['rules', 'workflows'] as const;

interface ContentFile {
  /** Relative path with forward slashes, e.g. `rules/attributes.yaml`. */
  path: string;
  bytes: Buffer;
}

/** YAML files below `dir`; entries that cannot be read (a dangling link, no permission) go to `p`. */
function listYamlFiles(dir: string, root: string, p: ProblemCollector): ContentFile[] {
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch {
    return [];
  }
  const files: ContentFile[] = [];
  for (const name of entries) {
    const full = join(dir, name);
    const path = relative(root, full).split(sep).join('/');
    try {
      if (statSync(full).isDirectory()) files.push(...listYamlFiles(full, root, p));
      else if (/\.ya?ml$/.test(name)) files.push({ path, bytes: readFileSync(full) });
    } catch (error) {
      p.forFile(path).add('', `cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
  }
  return files;
}

/** SHA-256 over each file's path and bytes, in path order. */
export function contentVersion(files: { path: string; bytes: Buffer }[]): string {
  const hash = createHash('sha256');
  for (const file of [...files].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    hash.update(`${file.path}\n${file.bytes.length}\n`);
    hash.update(file.bytes);
  }
  return hash.digest('hex');
}

/**
 * Reads and validates every content file below `contentDir`. Throws a `ContentError` listing
 * every problem (file and path inside it) when anything is wrong.
 */
export function loadContent(contentDir: string): Content {
  const problems = new ProblemCollector('');
  const files = CONTENT_FOLDERS.flatMap((folder) =>
    listYamlFiles(join(contentDir, folder), contentDir, problems),
  );
  const documents = new Map<string, unknown>();
  for (const file of files) {
    try {
      documents.set(file.path, parseYaml(file.bytes.toString('utf8'), { uniqueKeys: true }));
    } catch (error) {
      const where = error instanceof YAMLParseError && error.linePos ? `line ${error.linePos[0].line}` : '';
      problems.forFile(file.path).add(where, `not valid YAML: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  const required = (path: string): unknown => {
    if (!documents.has(path) && !problems.problems.some((p) => p.file === path)) {
      problems.forFile(path).add('', 'file is missing');
    }
    return documents.get(path);
  };

  const attributes = readAttributes(
    problems.forFile('rules/attributes.yaml'),
    required('rules/attributes.yaml'),
  );
  const evidenceKinds = readEvidenceKinds(
    problems.forFile('rules/evidence-kinds.yaml'),
    required('rules/evidence-kinds.yaml'),
  );
  const workflows = readWorkflows(
    problems,
    files
      .filter((f) => f.path.startsWith('workflows/') && documents.has(f.path))
      .map((f) => ({ ...f, document: documents.get(f.path) })),
    evidenceKinds,
  );
  const rules = readRules(
    problems,
    documents,
    required,
    attributes,
    evidenceKinds,
    files.map((f) => f.path),
  );

  const content: Content = {
    version: contentVersion(files),
    files: files.map((f) => f.path),
    attributes,
    evidenceKinds,
    workflows,
    ...rules,
  };
  checkRouteWorkflows(problems, content);
  if (problems.problems.length > 0) throw new ContentError(problems.problems);
  return content;
}
