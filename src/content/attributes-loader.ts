import {
  ATTRIBUTE_TYPES,
  checkAttributeValue,
  type AttributeDefinition,
  type AttributeType,
  type AttributeVocabulary,
} from './attributes.js';
import type { ProblemCollector } from './content-problem.js';
import { booleanAt, noUnknownKeys, numberAt, objectAt, stringAt, stringListAt } from './yaml-shape.js';

const KEYS = ['type', 'values', 'nullable', 'unit', 'min', 'max', 'default', 'meaning', 'source'];
const NAME = /^[a-z][A-Za-z0-9]*$/;

/** Reads `rules/attributes.yaml` (already parsed) into the vocabulary. */
export function readAttributes(p: ProblemCollector, document: unknown): AttributeVocabulary {
  const vocabulary = new Map<string, AttributeDefinition>();
  const root = objectAt(p, '', document);
  if (!root) return vocabulary;
  noUnknownKeys(p, '', root, ['attributes']);
  const attributes = objectAt(p, 'attributes', root.attributes);
  if (!attributes) return vocabulary;

  for (const [name, raw] of Object.entries(attributes)) {
    const path = `attributes.${name}`;
    if (!NAME.test(name)) p.add(path, 'attribute names are lowerCamelCase');
    const spec = objectAt(p, path, raw);
    if (!spec) continue;
    noUnknownKeys(p, path, spec, KEYS);
    const type = stringAt(p, `${path}.type`, spec.type);
    if (type !== undefined && !(ATTRIBUTE_TYPES as readonly string[]).includes(type)) {
      p.add(`${path}.type`, `must be one of ${ATTRIBUTE_TYPES.join(', ')}`);
      continue;
    }
    const values = type === 'enum' ? stringListAt(p, `${path}.values`, spec.values) : undefined;
    if (type !== 'enum' && spec.values !== undefined) {
      p.add(`${path}.values`, 'only enum attributes list values');
    }
    const def: AttributeDefinition = {
      name,
      type: (type ?? 'string') as AttributeType,
      values,
      nullable: booleanAt(p, `${path}.nullable`, spec.nullable, true) ?? false,
      unit: stringAt(p, `${path}.unit`, spec.unit, true),
      min: numberAt(p, `${path}.min`, spec.min, true),
      max: numberAt(p, `${path}.max`, spec.max, true),
      default: null,
      meaning: stringAt(p, `${path}.meaning`, spec.meaning) ?? '',
      source: stringAt(p, `${path}.source`, spec.source, true),
    };
    if (!('default' in spec)) {
      p.add(`${path}.default`, 'is required');
    } else {
      const problem = checkAttributeValue(def, spec.default);
      if (problem) p.add(`${path}.default`, `default ${problem}`);
      else def.default = spec.default as AttributeDefinition['default'];
    }
    vocabulary.set(name, def);
  }
  return vocabulary;
}
