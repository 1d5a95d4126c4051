import type { ProblemCollector } from './content-problem.js';

/*
 * Small readers for untrusted YAML shapes: each returns the value when it has the expected
 * type and records a problem (with its path) when it does not.
 */

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function objectAt(p: ProblemCollector, path: string, value: unknown): JsonObject | undefined {
  if (isObject(value)) return value;
  p.add(path, 'must be a mapping');
  return undefined;
}

export function stringAt(
  p: ProblemCollector,
  path: string,
  value: unknown,
  optional = false,
): string | undefined {
  if (value === undefined && optional) return undefined;
  if (typeof value === 'string' && value.trim() !== '') return value;
  p.add(path, value === undefined ? 'is required' : 'must be a non-empty string');
  return undefined;
}

export function numberAt(
  p: ProblemCollector,
  path: string,
  value: unknown,
  optional = false,
): number | undefined {
  if (value === undefined && optional) return undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  p.add(path, value === undefined ? 'is required' : 'must be a number');
  return undefined;
}

export function booleanAt(
  p: ProblemCollector,
  path: string,
  value: unknown,
  optional = false,
): boolean | undefined {
  if (value === undefined && optional) return undefined;
  if (typeof value === 'boolean') return value;
  p.add(path, value === undefined ? 'is required' : 'must be true or false');
  return undefined;
}

export function stringListAt(
  p: ProblemCollector,
  path: string,
  value: unknown,
  optional = false,
): string[] | undefined {
  if (value === undefined && optional) return undefined;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  p.add(path, value === undefined ? 'is required' : 'must be a list of strings');
  return undefined;
}

/** Reports keys of `value` that are not in `allowed` (a misspelt key is a content error). */
export function noUnknownKeys(
  p: ProblemCollector,
  path: string,
  value: JsonObject,
  allowed: readonly string[],
): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      p.add(path ? `${path}.${key}` : key, `unknown key '${key}' (expected one of ${allowed.join(', ')})`);
    }
  }
}
