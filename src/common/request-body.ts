import { AppError } from './app-error.js';

/*
 * Checks of request bodies that the body parsers accept but the rest of the service cannot
 * hold, so that they are answered 400 at the edge instead of failing deep inside:
 *
 * - nesting: class-transformer and class-validator walk a body recursively, and a deeply nested
 *   one overflows the stack (a 500). The API's bodies nest three levels; 32 is generous.
 * - member names `__proto__` and `constructor`: class-transformer silently drops them, so an
 *   undeclared attribute named so would be accepted and lost instead of answered 400.
 * - NUL characters: PostgreSQL text cannot hold them (SQLite can, so the two would differ).
 * - unpaired surrogates: the audit log hashes RFC 8785 canonical JSON, which has no form for them.
 */

/** Deepest nesting of arrays and objects a JSON body may have. */
export const JSON_MAX_DEPTH = 32;

const FORBIDDEN_MEMBERS = new Set(['__proto__', 'constructor']);

/** A NUL, or a surrogate code unit that is not part of a pair (`u` mode matches only those). */
const UNSTORABLE = /\0|\p{Cs}/u;

/** Why a text value cannot be stored, or undefined when it can. */
export function textProblem(text: string): string | undefined {
  if (!UNSTORABLE.test(text)) return undefined;
  return text.includes('\0')
    ? 'must not contain NUL characters'
    : 'must be well-formed Unicode (it contains an unpaired surrogate)';
}

interface Node {
  value: unknown;
  depth: number;
  parent?: Node;
  key?: string | number;
}

function pathOf(node: Node): string {
  const keys: (string | number)[] = [];
  for (let n: Node | undefined = node; n?.key !== undefined; n = n.parent) keys.unshift(n.key);
  return keys.reduce<string>(
    (path, key) => (typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key),
    '',
  );
}

/**
 * The problem with a parsed JSON body, or undefined when it is fine. Walks the body without
 * recursion, so that the check itself cannot overflow the stack.
 */
export function jsonBodyProblem(body: unknown, maxDepth = JSON_MAX_DEPTH): AppError | undefined {
  const stack: Node[] = [{ value: body, depth: 0 }];
  while (stack.length > 0) {
    const node = stack.pop() as Node;
    const { value, depth } = node;
    if (typeof value === 'string') {
      const problem = textProblem(value);
      if (problem) return AppError.validation([{ field: pathOf(node) || 'body', message: problem }]);
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= maxDepth) {
      return new AppError(
        'MALFORMED_REQUEST',
        `The body nests arrays and objects deeper than ${maxDepth} levels.`,
      );
    }
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++)
        stack.push({ value: value[i], depth: depth + 1, parent: node, key: i });
      continue;
    }
    for (const [key, member] of Object.entries(value)) {
      const child: Node = { value: member, depth: depth + 1, parent: node, key };
      if (FORBIDDEN_MEMBERS.has(key)) {
        return AppError.validation([
          { field: pathOf(child), message: `'${key}' is not an allowed member name` },
        ]);
      }
      const problem = textProblem(key);
      if (problem)
        return AppError.validation([{ field: pathOf(node) || 'body', message: `a member name ${problem}` }]);
      stack.push(child);
    }
  }
  return undefined;
}
