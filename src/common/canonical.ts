import { createHash } from 'node:crypto';

/*
 * The two primitives every verifiable record in certflow is built on: RFC 8785 (JCS) canonical
 * JSON and SHA-256 in lowercase hex (audit records, signatures, dossier manifests and ids).
 */

/** Deeper than any record certflow writes; also what stops a circular value. */
const MAX_DEPTH = 1000;

/** In a `u` regular expression a surrogate pair is one code point: this matches lone halves only. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * RFC 8785 canonical JSON: object members sorted by the UTF-16 code units of their names, no
 * whitespace, numbers and strings serialised as ECMAScript's JSON.stringify does (RFC 8785 §3.2.2
 * adopts exactly that). Members whose value is undefined are left out, as in JSON. Verifying an
 * audit chain canonicalises every record, so this is written for speed;
 * canonical.spec.ts checks it against the `canonicalize` package on random values.
 */
export function canonicalJson(value: unknown): string {
  return write(value, 0);
}

function write(value: unknown, depth: number): string {
  switch (typeof value) {
    case 'string': {
      const json = JSON.stringify(value);
      // JSON.stringify writes a lone surrogate as an escape (\udXXX): test precisely only then.
      if (json.includes('\\ud') && LONE_SURROGATE.test(value)) {
        throw new Error('a string with a lone surrogate cannot be canonicalised');
      }
      return json;
    }
    case 'number':
      if (!Number.isFinite(value)) throw new Error(`${value} cannot be canonicalised`);
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      if (depth >= MAX_DEPTH) throw new Error('value nested too deeply (or circular) to canonicalise');
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
        return write((value as { toJSON: () => unknown }).toJSON(), depth + 1);
      }
      return Array.isArray(value) ? writeArray(value, depth) : writeObject(value as object, depth);
    default:
      throw new Error(`${typeof value} cannot be canonicalised`);
  }
}

function writeArray(items: unknown[], depth: number): string {
  let out = '[';
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (i > 0) out += ',';
    // As in JSON: an array element that JSON cannot hold is written as null.
    out +=
      item === undefined || typeof item === 'function' || typeof item === 'symbol'
        ? 'null'
        : write(item, depth + 1);
  }
  return out + ']';
}

function writeObject(object: object, depth: number): string {
  const members = object as Record<string, unknown>;
  let out = '{';
  let first = true;
  for (const key of sortedKeys(members)) {
    const item = members[key];
    if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
    out += `${first ? '' : ','}${write(key, depth)}:${write(item, depth + 1)}`;
    first = false;
  }
  return out + '}';
}

/**
 * The member names in UTF-16 code-unit order, as RFC 8785 §3.2.3 asks (JavaScript's `<` on strings
 * compares code units, as does `sort()` without a comparator). Records have a handful of members,
 * which an insertion sort orders quickest.
 */
function sortedKeys(object: object): string[] {
  const keys = Object.keys(object);
  if (keys.length > 16) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i];
    let j = i - 1;
    for (; j >= 0 && keys[j] > key; j--) keys[j + 1] = keys[j];
    keys[j + 1] = key;
  }
  return keys;
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
