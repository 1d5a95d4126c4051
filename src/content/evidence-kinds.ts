import type { ProblemCollector } from './content-problem.js';
import { noUnknownKeys, numberAt, objectAt, stringAt } from './yaml-shape.js';

/** An evidence kind (design §3.3). */
export interface EvidenceKind {
  id: string;
  title: string;
  meaning: string;
  source: string;
  /** Days an item stays valid after its issuedAt, when the law sets a period. */
  validityDays?: number;
}

export type EvidenceKinds = ReadonlyMap<string, EvidenceKind>;

const ID = /^[a-z][a-z0-9-]*$/;

/** Reads `rules/evidence-kinds.yaml` (already parsed). */
export function readEvidenceKinds(p: ProblemCollector, document: unknown): EvidenceKinds {
  const kinds = new Map<string, EvidenceKind>();
  const root = objectAt(p, '', document);
  if (!root) return kinds;
  noUnknownKeys(p, '', root, ['kinds']);
  const entries = objectAt(p, 'kinds', root.kinds);
  if (!entries) return kinds;
  for (const [id, raw] of Object.entries(entries)) {
    const path = `kinds.${id}`;
    if (!ID.test(id)) p.add(path, 'evidence kind ids are lower-case words joined by hyphens');
    const spec = objectAt(p, path, raw);
    if (!spec) continue;
    noUnknownKeys(p, path, spec, ['title', 'meaning', 'source', 'validityDays']);
    const validityDays = numberAt(p, `${path}.validityDays`, spec.validityDays, true);
    if (validityDays !== undefined && (!Number.isInteger(validityDays) || validityDays <= 0)) {
      p.add(`${path}.validityDays`, 'must be a positive whole number of days');
    }
    kinds.set(id, {
      id,
      title: stringAt(p, `${path}.title`, spec.title) ?? id,
      meaning: stringAt(p, `${path}.meaning`, spec.meaning) ?? '',
      source: stringAt(p, `${path}.source`, spec.source) ?? '',
      ...(validityDays !== undefined ? { validityDays } : {}),
    });
  }
  return kinds;
}
