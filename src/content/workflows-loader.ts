import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import type { ProblemCollector } from './content-problem.js';
import type { EvidenceKinds } from './evidence-kinds.js';
import { compileWorkflow, type WorkflowDefinition } from './workflows.js';

/** A parsed file below `workflows/`. */
export interface WorkflowFile {
  /** Relative to the content directory, e.g. `workflows/eu-module-a.yaml`. */
  path: string;
  bytes: Buffer;
  document: unknown;
}

/**
 * Checks every workflow file (design §3.4) and returns the definitions by id. A workflow's id is
 * its file name, so a route's `workflow` names a file a reader can find.
 */
export function readWorkflows(
  p: ProblemCollector,
  files: WorkflowFile[],
  evidenceKinds: EvidenceKinds,
): ReadonlyMap<string, WorkflowDefinition> {
  const workflows = new Map<string, WorkflowDefinition>();
  // When evidence-kinds.yaml itself is broken, every kind would look unknown: report that file only.
  const ctx = evidenceKinds.size > 0 ? { evidenceKinds: new Set(evidenceKinds.keys()) } : {};
  for (const file of files) {
    const fp = p.forFile(file.path);
    const hash = createHash('sha256').update(file.bytes).digest('hex');
    const definition = compileWorkflow(fp, file.document, { file: file.path, hash }, ctx);
    if (!definition) continue;
    const name = posix.basename(file.path).replace(/\.ya?ml$/, '');
    if (definition.id !== name) {
      fp.add('id', `the id must be the file name ('${name}'), so that routes and readers find it`);
      continue;
    }
    const other = workflows.get(definition.id);
    if (other) {
      fp.add('id', `workflow id '${definition.id}' is already used by ${other.file}`);
      continue;
    }
    workflows.set(definition.id, definition);
  }
  return workflows;
}
