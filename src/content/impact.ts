import type { AttributeChange, AttributeVocabulary } from './attributes.js';
import {
  attributeVariable,
  ConditionCompiler,
  didYouMean,
  type ParameterDeclaration,
  type ParameterValues,
  type Predicate,
  type VariableDeclaration,
} from './conditions.js';
import type { ProblemCollector } from './content-problem.js';
import type { EvidenceKinds } from './evidence-kinds.js';
import { noUnknownKeys, objectAt, stringAt, stringListAt } from './yaml-shape.js';

/*
 * Change-impact rules (design §3.3, reference §15): which evidence kinds a change of which
 * attribute invalidates. A variant inherits every accepted product-level evidence item except
 * the kinds its changes invalidate. Read from `rules/impact.yaml`.
 */

export interface ImpactRule {
  id: string;
  /** The attributes whose change triggers the rule; `any` = every change. */
  attributes: readonly string[] | 'any';
  /** Only when this holds (CEL over `base` and `value` of the change, and `params`). */
  when?: { expression: string; test: Predicate };
  invalidates: readonly string[];
  citation: string;
  reason: string;
}

export type ImpactRules = readonly ImpactRule[];

/** One rule that a variant's change triggered. */
export interface ImpactFinding {
  rule: ImpactRule;
  attribute: string;
}

const ID = /^[a-z][a-z0-9-]*$/;
const KEYS = ['attributes', 'when', 'invalidates', 'citation', 'reason'];

/** True when the change really changes something (an override equal to the base is no change). */
function changed(change: AttributeChange): boolean {
  return change.base !== change.value;
}

/** The rules each change triggers, in rule order. Pure. */
export function impactFindings(
  changes: readonly AttributeChange[],
  rules: ImpactRules,
  params: ParameterValues,
): ImpactFinding[] {
  const findings: ImpactFinding[] = [];
  for (const change of changes) {
    if (!changed(change)) continue;
    const bindings = { base: change.base, value: change.value };
    for (const rule of rules) {
      if (rule.attributes !== 'any' && !rule.attributes.includes(change.attribute)) continue;
      if (rule.when && !rule.when.test(bindings, params)) continue;
      findings.push({ rule, attribute: change.attribute });
    }
  }
  return findings;
}

/**
 * Evidence kinds the changes invalidate, each with the changed attributes responsible (sorted,
 * without repeats). Pure: the evidence feature calls it with a variant's `changes`.
 */
export function invalidatedEvidence(
  changes: readonly AttributeChange[],
  rules: ImpactRules,
  params: ParameterValues,
): Map<string, string[]> {
  const result = new Map<string, Set<string>>();
  for (const { rule, attribute } of impactFindings(changes, rules, params)) {
    for (const kind of rule.invalidates) {
      let attributes = result.get(kind);
      if (!attributes) result.set(kind, (attributes = new Set()));
      attributes.add(attribute);
    }
  }
  return new Map([...result].map(([kind, attributes]) => [kind, [...attributes].sort()]));
}

export interface ImpactReaders {
  attributes: AttributeVocabulary;
  evidenceKinds: EvidenceKinds;
  parameters: ReadonlyMap<string, ParameterDeclaration>;
  parameterValues: ParameterValues;
}

/** Reads `rules/impact.yaml` (already parsed): `{ rules: { <id>: … } }`. */
export function readImpactRules(p: ProblemCollector, document: unknown, readers: ImpactReaders): ImpactRules {
  const rules: ImpactRule[] = [];
  const root = objectAt(p, '', document);
  if (!root) return rules;
  noUnknownKeys(p, '', root, ['rules']);
  const entries = objectAt(p, 'rules', root.rules);
  const compilers: ConditionCompiler[] = [];
  for (const [id, raw] of Object.entries(entries ?? {})) {
    const path = `rules.${id}`;
    if (!ID.test(id)) p.add(path, 'rule ids are lower-case words joined by hyphens');
    const spec = objectAt(p, path, raw);
    if (!spec) continue;
    noUnknownKeys(p, path, spec, KEYS);

    let attributes: readonly string[] | 'any' | undefined;
    if (spec.attributes === 'any') attributes = 'any';
    else {
      const names = stringListAt(p, `${path}.attributes`, spec.attributes);
      attributes = names?.filter((name, index) => {
        if (readers.attributes.has(name)) return true;
        p.add(
          `${path}.attributes[${index}]`,
          `unknown attribute '${name}'${didYouMean(name, readers.attributes.keys())}`,
        );
        return false;
      });
      if (names && names.length === 0)
        p.add(`${path}.attributes`, "list at least one attribute, or write 'any'");
    }

    const invalidates = stringListAt(p, `${path}.invalidates`, spec.invalidates) ?? [];
    invalidates.forEach((kind, index) => {
      if (!readers.evidenceKinds.has(kind)) {
        p.add(
          `${path}.invalidates[${index}]`,
          `unknown evidence kind '${kind}'${didYouMean(kind, readers.evidenceKinds.keys())}`,
        );
      }
    });
    const citation = stringAt(p, `${path}.citation`, spec.citation);
    const reason = stringAt(p, `${path}.reason`, spec.reason);

    let when: ImpactRule['when'];
    const expression = stringAt(p, `${path}.when`, spec.when, true);
    if (expression !== undefined && attributes !== undefined) {
      const scope = changeScope(p, `${path}.attributes`, attributes, readers);
      if (scope) {
        const compiler = new ConditionCompiler({
          variables: scope,
          parameters: readers.parameters,
          parameterValues: readers.parameterValues,
        });
        compilers.push(compiler);
        const test = compiler.compile(expression, { report: (m) => p.add(`${path}.when`, m) });
        if (test) when = { expression, test: test.test };
      }
    }
    if (attributes === undefined || citation === undefined || reason === undefined) continue;
    if (expression !== undefined && !when) continue;
    rules.push({ id, attributes, ...(when ? { when } : {}), invalidates, citation, reason });
  }
  for (const compiler of compilers) compiler.verify();
  return rules;
}

/** `base` and `value` typed like the rule's attributes (which must then share one type). */
function changeScope(
  p: ProblemCollector,
  path: string,
  attributes: readonly string[] | 'any',
  readers: ImpactReaders,
): Map<string, VariableDeclaration> | undefined {
  if (attributes === 'any' || attributes.length === 0) {
    p.add(path, "a rule with 'when' names the attributes whose base and value it reads");
    return undefined;
  }
  const declarations = attributes.map((name) => attributeVariable(readers.attributes.get(name)!));
  const first = declarations[0];
  const same = declarations.every(
    (d) =>
      d.type.base === first.type.base && JSON.stringify(d.type.values) === JSON.stringify(first.type.values),
  );
  if (!same) {
    p.add(path, "a rule with 'when' compares base and value, so its attributes must share one type");
    return undefined;
  }
  // Either side of a change may be null when any of the attributes can be.
  const nullable = declarations.some((d) => d.type.nullable);
  const type = { ...first.type, nullable };
  const samples = nullable && !first.samples.includes(null) ? [...first.samples, null] : first.samples;
  return new Map([
    ['base', { ...first, type, samples, noun: 'variable (base or value)' }],
    ['value', { ...first, type, samples, noun: 'variable (base or value)' }],
  ]);
}
