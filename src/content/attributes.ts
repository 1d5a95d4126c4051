import type { FieldError } from '../common/app-error.js';

/** Attribute vocabulary (design §3.1) and the checks every product and variant passes. */

export type AttributeValue = string | number | boolean | null;
export type AttributeValues = Record<string, AttributeValue>;

export const ATTRIBUTE_TYPES = ['enum', 'string', 'number', 'boolean', 'date'] as const;
export type AttributeType = (typeof ATTRIBUTE_TYPES)[number];

export interface AttributeDefinition {
  name: string;
  type: AttributeType;
  values?: string[];
  nullable: boolean;
  unit?: string;
  min?: number;
  max?: number;
  default: AttributeValue;
  meaning: string;
  source?: string;
}

export type AttributeVocabulary = ReadonlyMap<string, AttributeDefinition>;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** True for a real calendar date written YYYY-MM-DD. */
export function isCalendarDate(value: string): boolean {
  if (!DATE.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/** Why `value` is not a valid value of `def`, or undefined when it is. */
export function checkAttributeValue(def: AttributeDefinition, value: unknown): string | undefined {
  if (value === null) return def.nullable ? undefined : 'must not be null';
  switch (def.type) {
    case 'enum':
      if (typeof value !== 'string') return `must be one of ${def.values?.join(', ')}`;
      return def.values?.includes(value)
        ? undefined
        : `must be one of ${def.values?.join(', ')}, got '${value}'`;
    case 'string':
      if (typeof value !== 'string') return 'must be a string';
      return value.length > 200 ? 'must be at most 200 characters' : undefined;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        return `must be a number${def.unit ? ` (${def.unit})` : ''}`;
      }
      if (def.min !== undefined && value < def.min) return `must be at least ${def.min}`;
      if (def.max !== undefined && value > def.max) return `must be at most ${def.max}`;
      return undefined;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'must be true or false';
    case 'date':
      return typeof value === 'string' && isCalendarDate(value)
        ? undefined
        : 'must be a calendar date YYYY-MM-DD';
  }
}

/**
 * Checks a set of attribute values against the vocabulary: every key declared, every value of
 * the declared type and range. `prefix` names the body field, e.g. `overrides`.
 */
export function checkAttributeValues(
  vocabulary: AttributeVocabulary,
  values: unknown,
  prefix: string,
): FieldError[] {
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    return [{ field: prefix, message: 'must be an object of attribute names to values' }];
  }
  const errors: FieldError[] = [];
  for (const [name, value] of Object.entries(values)) {
    const def = vocabulary.get(name);
    if (!def) {
      errors.push({ field: `${prefix}.${name}`, message: `'${name}' is not a declared attribute` });
      continue;
    }
    const problem = checkAttributeValue(def, value);
    if (problem) errors.push({ field: `${prefix}.${name}`, message: `${name} ${problem}` });
  }
  return errors;
}

/** The vocabulary's defaults, overlaid by the product's attributes, overlaid by the overrides. */
export function effectiveAttributes(
  vocabulary: AttributeVocabulary,
  product: AttributeValues,
  overrides: AttributeValues = {},
): AttributeValues {
  const result: AttributeValues = {};
  for (const def of vocabulary.values()) result[def.name] = def.default;
  return { ...result, ...product, ...overrides };
}

export interface AttributeChange {
  attribute: string;
  base: AttributeValue;
  value: AttributeValue;
}

/** Each overridden attribute with the base design's value and the variant's. */
export function attributeChanges(
  vocabulary: AttributeVocabulary,
  product: AttributeValues,
  overrides: AttributeValues,
): AttributeChange[] {
  const base = effectiveAttributes(vocabulary, product);
  return Object.keys(overrides)
    .sort()
    .map((attribute) => ({ attribute, base: base[attribute] ?? null, value: overrides[attribute] }));
}
