import type { AttributeVocabulary } from './attributes.js';
import type { EvidenceKinds } from './evidence-kinds.js';
import type { ImpactRules } from './impact.js';
import type { Parameters } from './parameters.js';
import type { Regimes } from './regimes.js';
import type { WorkflowDefinition } from './workflows.js';

/** Everything loaded from `rules/` and `workflows/`, validated, immutable while the service runs. */
export interface Content {
  /** SHA-256 over every content file (path and bytes), lowercase hex. */
  version: string;
  /** Content files, relative to the content directory, sorted. */
  files: string[];
  attributes: AttributeVocabulary;
  evidenceKinds: EvidenceKinds;
  /** Named parameters of the rules: the uncertain and time-sensitive legal facts (`rules/parameters.yaml`). */
  parameters: Parameters;
  /** Regimes by id, in file order (`rules/regimes/*.yaml`, design §3.2). */
  regimes: Regimes;
  /** Change-impact rules (`rules/impact.yaml`, design §3.3). */
  impactRules: ImpactRules;
  /** Workflow definitions by id (`workflows/<id>.yaml`, design §3.4). */
  workflows: ReadonlyMap<string, WorkflowDefinition>;
}
