import type { AttributeVocabulary } from './attributes.js';
import type { EvidenceKinds } from './evidence-kinds.js';
import type { WorkflowDefinition } from './workflows.js';

/** Everything loaded from `rules/` and `workflows/`, validated, immutable while the service runs. */
export interface Content {
  /** SHA-256 over every content file (path and bytes), lowercase hex. */
  version: string;
  /** Content files, relative to the content directory, sorted. */
  files: string[];
  attributes: AttributeVocabulary;
  evidenceKinds: EvidenceKinds;
  /** Workflow definitions by id (`workflows/<id>.yaml`, design §3.4). */
  workflows: ReadonlyMap<string, WorkflowDefinition>;
}
