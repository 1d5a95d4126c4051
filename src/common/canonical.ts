import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/*
 * The two primitives every verifiable record in certflow is built on: RFC 8785 (JCS) canonical
 * JSON and SHA-256 in lowercase hex (audit records, signatures, dossier manifests and ids).
 */

export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('value cannot be canonicalised');
  return text;
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
