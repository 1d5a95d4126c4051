import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { readAttributes } from './attributes-loader.js';
import { loadContent } from './content-loader.js';
import { ContentError, ProblemCollector } from './content-problem.js';
import { readEvidenceKinds, type EvidenceKinds } from './evidence-kinds.js';
import { readParameters } from './parameters.js';
import { readWorkflows } from './workflows-loader.js';

/*
 * Broken content never crashes the loader: whatever is wrong with rules/ and workflows/ (bytes,
 * YAML, shapes, unknown keys, missing or extra files), loadContent either loads or throws a
 * ContentError naming the file; never a TypeError or a RangeError. Content directories are made
 * by mutating a copy of the shipped ones. loadContent checks every condition of the rules over
 * sampled attribute values (most of a second each time), so its property runs few times; the
 * per-file readers it calls are cheap and run many more.
 */

const REPO = process.cwd();
let pristine: string;
const made: string[] = [];
let files: string[];

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

beforeAll(() => {
  pristine = mkdtempSync(join(tmpdir(), 'certflow-content-fuzz-'));
  made.push(pristine);
  for (const folder of ['rules', 'workflows'])
    cpSync(join(REPO, folder), join(pristine, folder), { recursive: true });
  files = listFiles(pristine)
    .map((path) => relative(pristine, path))
    .filter((path) => /\.ya?ml$/.test(path))
    .sort();
});
afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function copyOfContent(): string {
  const dir = mkdtempSync(join(tmpdir(), 'certflow-content-mutant-'));
  made.push(dir);
  cpSync(pristine, dir, { recursive: true });
  return dir;
}

type Path = (string | number)[];

/** Every path to a node of a parsed YAML document. */
function paths(node: unknown, prefix: Path = []): Path[] {
  const here: Path[] = [prefix];
  if (Array.isArray(node)) node.forEach((child, i) => here.push(...paths(child, [...prefix, i])));
  else if (node !== null && typeof node === 'object') {
    for (const [key, child] of Object.entries(node)) here.push(...paths(child, [...prefix, key]));
  }
  return here;
}

type Edit =
  | { kind: 'set'; value: unknown }
  | { kind: 'delete' }
  | { kind: 'unknown key'; key: string; value: unknown }
  | { kind: 'rename'; key: string };

/** Applies an edit at `path`; returns the new document. */
function edit(document: unknown, path: Path, change: Edit): unknown {
  if (path.length === 0) {
    if (change.kind === 'set') return change.value;
    if (
      change.kind === 'unknown key' &&
      document !== null &&
      typeof document === 'object' &&
      !Array.isArray(document)
    ) {
      return { ...document, [change.key]: change.value };
    }
    return change.kind === 'delete' ? null : document;
  }
  const [head, ...rest] = path;
  const container = structuredClone(document) as Record<string | number, unknown>;
  if (rest.length > 0) {
    container[head] = edit(container[head], rest, change);
    return container;
  }
  switch (change.kind) {
    case 'set':
      container[head] = change.value;
      break;
    case 'delete':
      if (Array.isArray(container)) container.splice(Number(head), 1);
      else delete container[head];
      break;
    case 'unknown key':
      container[head] = edit(container[head], [], change);
      break;
    case 'rename':
      if (!Array.isArray(container)) {
        container[change.key] = container[head];
        delete container[head];
      }
      break;
  }
  return container;
}

/** Values content authors get wrong: other types, empty, absurd numbers, odd strings, CEL garbage. */
const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(
    null,
    '',
    0,
    -1,
    1e308,
    Number.MAX_SAFE_INTEGER + 2,
    true,
    [],
    {},
    [[]],
    'eu-module-a',
    'machinery',
    'kind ==',
    "kind == 'machinery' &&",
    'supplyVoltageAC >= "x"',
    'size(',
    'params.nope',
    'x'.repeat(10_000),
    '2027-02-30',
    '\u0000',
    '💥',
  ),
);

const keyName = fc.oneof(
  fc.string({ minLength: 1, maxLength: 12 }),
  fc.constantFrom('__proto__', 'constructor', 'toString', 'id', 'meta', 'on'),
);

const editArbitrary: fc.Arbitrary<Edit> = fc.oneof(
  wrongValue.map((value) => ({ kind: 'set' as const, value })),
  fc.constant({ kind: 'delete' as const }),
  fc.tuple(keyName, wrongValue).map(([key, value]) => ({ kind: 'unknown key' as const, key, value })),
  keyName.map((key) => ({ kind: 'rename' as const, key })),
);

/** Whole-file damage: bytes, YAML syntax, YAML features. */
const brokenText = fc.oneof(
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
  fc.string({ unit: 'binary', maxLength: 200 }).map((text) => Buffer.from(text)),
  fc
    .constantFrom(
      '',
      'null',
      '[]',
      '42',
      '---\n---\n',
      'a: 1\na: 2\n',
      'key: [unclosed\n',
      '\t- tabs\n',
      '\ufeffid: x\n',
      // an alias bomb
      'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n',
      '!!js/function "function () { process.exit(1) }"\n',
      'x: !!binary AAAA\n',
      '['.repeat(20_000) + ']'.repeat(20_000),
      'a:\n' + '  '.repeat(3000) + 'b: 1\n',
    )
    .map((text) => Buffer.from(text)),
);

type Damage =
  | { kind: 'edit'; file: number; at: number; change: Edit }
  | { kind: 'replace'; file: number; bytes: Buffer }
  | { kind: 'truncate'; file: number; at: number }
  | { kind: 'delete file'; file: number }
  | { kind: 'extra file'; name: string; bytes: Buffer };

const damage: fc.Arbitrary<Damage> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('edit' as const),
      file: fc.nat(),
      at: fc.nat(),
      change: editArbitrary,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('replace' as const), file: fc.nat(), bytes: brokenText }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('truncate' as const), file: fc.nat(), at: fc.nat() }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete file' as const), file: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('extra file' as const),
      name: fc.constantFrom(
        'rules/extra.yaml',
        'rules/regimes/xx.yaml',
        'workflows/extra.yaml',
        'workflows/sub/deeper.yml',
      ),
      bytes: fc.oneof(brokenText, fc.constant(Buffer.from(''))),
    }),
  },
);

function apply(dir: string, d: Damage): void {
  const file = 'file' in d ? files[d.file % files.length] : '';
  const path = join(dir, file);
  switch (d.kind) {
    case 'edit': {
      const document = parseYaml(readFileSync(path, 'utf8'));
      const all = paths(document);
      writeFileSync(path, stringifyYaml(edit(document, all[d.at % all.length], d.change)));
      break;
    }
    case 'replace':
      writeFileSync(path, d.bytes);
      break;
    case 'truncate': {
      const bytes = readFileSync(path);
      writeFileSync(path, bytes.subarray(0, d.at % bytes.length));
      break;
    }
    case 'delete file':
      rmSync(path);
      break;
    case 'extra file':
      mkdirSync(join(dir, d.name, '..'), { recursive: true });
      writeFileSync(join(dir, d.name), d.bytes);
      break;
  }
}

/** Loads; passes when the content loads or a ContentError names real files; fails on anything else. */
function expectLoadsOrContentError(dir: string): void {
  try {
    loadContent(dir);
  } catch (error) {
    if (!(error instanceof ContentError)) throw error;
    expect(error.problems.length).toBeGreaterThan(0);
    for (const problem of error.problems) {
      expect(problem.file).toMatch(/^(rules|workflows)\//);
      expect(problem.message.length).toBeGreaterThan(0);
    }
  }
}

describe('loadContent on broken content', () => {
  it('loads a copy of the shipped content', () => {
    expect(() => loadContent(copyOfContent())).not.toThrow();
  });

  it('throws a ContentError, never anything else, for randomly damaged rules and workflows', () => {
    fc.assert(
      fc.property(damage, (d) => {
        const dir = copyOfContent();
        apply(dir, d);
        expectLoadsOrContentError(dir);
        rmSync(dir, { recursive: true, force: true });
      }),
      { numRuns: 16 },
    );
  });

  it('names the file when a content path is a dangling link, a directory or an empty folder', () => {
    const dangling = copyOfContent();
    symlinkSync(join(dangling, 'nowhere.yaml'), join(dangling, 'rules', 'regimes', 'broken.yaml'));
    const error = (() => {
      try {
        loadContent(dangling);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ContentError);
    expect((error as ContentError).problems.map((p) => p.file)).toContain('rules/regimes/broken.yaml');

    const directory = copyOfContent();
    mkdirSync(join(directory, 'workflows', 'folder.yaml'));
    expectLoadsOrContentError(directory);

    const empty = copyOfContent();
    rmSync(join(empty, 'workflows'), { recursive: true });
    mkdirSync(join(empty, 'workflows'));
    expect(() => loadContent(empty)).toThrow(ContentError);
  });
});

describe('content readers on broken documents', () => {
  const read = (name: string) => parseYaml(readFileSync(join(REPO, name), 'utf8'));
  let evidenceKinds: EvidenceKinds;
  beforeAll(() => {
    evidenceKinds = readEvidenceKinds(
      new ProblemCollector('rules/evidence-kinds.yaml'),
      read('rules/evidence-kinds.yaml'),
    );
  });

  const documentEdit = (document: unknown) =>
    fc.tuple(fc.nat(), editArbitrary).map(([at, change]) => {
      const all = paths(document);
      return edit(document, all[at % all.length], change);
    });

  it.each(['rules/attributes.yaml', 'rules/evidence-kinds.yaml', 'rules/parameters.yaml'])(
    '%s: report problems, never throw',
    (name) => {
      const document = read(name);
      const reader = {
        'rules/attributes.yaml': readAttributes,
        'rules/evidence-kinds.yaml': readEvidenceKinds,
        'rules/parameters.yaml': readParameters,
      }[name];
      fc.assert(
        fc.property(documentEdit(document), (mutant) => {
          reader?.(new ProblemCollector(name), mutant);
        }),
        { numRuns: 150 },
      );
    },
  );

  it('workflows: report problems, never throw', () => {
    const names = readdirSync(join(REPO, 'workflows')).filter((n) => n.endsWith('.yaml'));
    fc.assert(
      fc.property(fc.constantFrom(...names), fc.nat(), editArbitrary, (name, at, change) => {
        const path = `workflows/${name}`;
        const document = read(path);
        const all = paths(document);
        const mutant = edit(document, all[at % all.length], change);
        const problems = new ProblemCollector('');
        readWorkflows(
          problems,
          [{ path, bytes: Buffer.from(stringifyYaml(mutant)), document: mutant }],
          evidenceKinds,
        );
      }),
      { numRuns: 150 },
    );
  });
});
