import { isCalendarDate } from './attributes.js';
import type { CelValue, ParameterDeclaration, ParameterValues, ValueType } from './conditions.js';
import type { ProblemCollector } from './content-problem.js';
import { noUnknownKeys, objectAt, stringAt } from './yaml-shape.js';

/**
 * Named parameters of the rules (`rules/parameters.yaml`): every legal fact the reference marks
 * uncertain or time-sensitive, so that it is visible, documented and changed in one place
 * rather than hidden in a condition. Conditions read them as `params.<name>`.
 */

export const PARAMETER_TYPES = ['boolean', 'number', 'date', 'string', 'list'] as const;
export type ParameterType = (typeof PARAMETER_TYPES)[number];

export const CONFIDENCE_LEVELS = ['H', 'M', 'L'] as const;
/** H: read in the act; M: consistent secondary sources; L: uncertain or time-sensitive. */
export type Confidence = (typeof CONFIDENCE_LEVELS)[number];

export interface Parameter {
  name: string;
  type: ParameterType;
  value: CelValue;
  meaning: string;
  confidence: Confidence;
  source: string;
  /** What to verify before relying on the value, for [L] parameters. */
  verify?: string;
}

export type Parameters = ReadonlyMap<string, Parameter>;

const NAME = /^[a-z][A-Za-z0-9]*$/;
const KEYS = ['type', 'value', 'meaning', 'confidence', 'source', 'verify'];

function valueProblem(type: ParameterType, value: unknown): string | undefined {
  switch (type) {
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'must be true or false';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : 'must be a number';
    case 'date':
      return typeof value === 'string' && isCalendarDate(value)
        ? undefined
        : "must be a date 'YYYY-MM-DD' (quoted)";
    case 'string':
      return typeof value === 'string' ? undefined : 'must be a string';
    case 'list':
      return Array.isArray(value) && value.every((v) => typeof v === 'string')
        ? undefined
        : 'must be a list of strings';
  }
}

/** The checker's view of a parameter's type. */
export function parameterValueType(type: ParameterType): ValueType {
  switch (type) {
    case 'boolean':
      return { base: 'bool', nullable: false };
    case 'number':
      return { base: 'number', nullable: false };
    case 'date':
      return { base: 'string', nullable: false, date: true };
    case 'string':
      return { base: 'string', nullable: false };
    case 'list':
      return { base: 'list', nullable: false };
  }
}

export function parameterDeclarations(parameters: Parameters): Map<string, ParameterDeclaration> {
  return new Map(
    [...parameters.values()].map((p) => [p.name, { type: parameterValueType(p.type), value: p.value }]),
  );
}

const valuesOf = new WeakMap<Parameters, ParameterValues>();

/**
 * The values conditions read under `params`: one frozen object per loaded parameter set, so
 * every caller passes the very object the conditions were compiled with and gets their fast,
 * folded form (conditions.ts).
 */
export function parameterValues(parameters: Parameters): ParameterValues {
  let values = valuesOf.get(parameters);
  if (!values) {
    values = Object.freeze(Object.fromEntries([...parameters.values()].map((p) => [p.name, p.value])));
    valuesOf.set(parameters, values);
  }
  return values;
}

/** Reads `rules/parameters.yaml` (already parsed). */
export function readParameters(p: ProblemCollector, document: unknown): Parameters {
  const parameters = new Map<string, Parameter>();
  const root = objectAt(p, '', document);
  if (!root) return parameters;
  noUnknownKeys(p, '', root, ['parameters']);
  const entries = objectAt(p, 'parameters', root.parameters);
  if (!entries) return parameters;
  for (const [name, raw] of Object.entries(entries)) {
    const path = `parameters.${name}`;
    if (!NAME.test(name)) p.add(path, 'parameter names are lowerCamelCase');
    const spec = objectAt(p, path, raw);
    if (!spec) continue;
    noUnknownKeys(p, path, spec, KEYS);
    const type = stringAt(p, `${path}.type`, spec.type);
    if (type !== undefined && !(PARAMETER_TYPES as readonly string[]).includes(type)) {
      p.add(`${path}.type`, `must be one of ${PARAMETER_TYPES.join(', ')}`);
      continue;
    }
    const confidence = stringAt(p, `${path}.confidence`, spec.confidence);
    if (confidence !== undefined && !(CONFIDENCE_LEVELS as readonly string[]).includes(confidence)) {
      p.add(`${path}.confidence`, `must be one of ${CONFIDENCE_LEVELS.join(', ')}`);
    }
    const verify = stringAt(p, `${path}.verify`, spec.verify, true);
    if (confidence === 'L' && verify === undefined) {
      p.add(`${path}.verify`, 'an uncertain (L) parameter says what to verify');
    }
    if (!('value' in spec)) {
      p.add(`${path}.value`, 'is required');
      continue;
    }
    const problem = type ? valueProblem(type as ParameterType, spec.value) : undefined;
    if (problem) p.add(`${path}.value`, problem);
    parameters.set(name, {
      name,
      type: (type ?? 'string') as ParameterType,
      value: spec.value as CelValue,
      meaning: stringAt(p, `${path}.meaning`, spec.meaning) ?? '',
      confidence: (confidence ?? 'L') as Confidence,
      source: stringAt(p, `${path}.source`, spec.source) ?? '',
      ...(verify !== undefined ? { verify } : {}),
    });
  }
  return parameters;
}
