import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { parse as parseYaml } from 'yaml';
import { loadContent } from './content-loader.js';
import { ContentError, ProblemCollector, formatProblem, type ContentProblem } from './content-problem.js';
import { readEvidenceKinds } from './evidence-kinds.js';
import { readWorkflows } from './workflows-loader.js';
import { definitionFromConfig, type WorkflowDefinition } from './workflows.js';

/*
 * Workflow loading is tested on temporary content directories holding the shipped
 * rules/evidence-kinds.yaml and the workflow under test. They are read the way loadContent reads
 * them, through readWorkflows, so these tests do not depend on the rest of rules/; two tests run
 * the real loadContent.
 */

const REPO = process.cwd();
const made: string[] = [];

afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function contentDirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'certflow-workflows-'));
  made.push(dir);
  cpSync(join(REPO, 'rules', 'evidence-kinds.yaml'), join(dir, 'rules', 'evidence-kinds.yaml'));
  mkdirSync(join(dir, 'workflows'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, 'workflows', name), text);
  return dir;
}

function loadWorkflows(dir: string): {
  workflows: ReadonlyMap<string, WorkflowDefinition>;
  problems: ContentProblem[];
} {
  const problems = new ProblemCollector('');
  const kindsFile = 'rules/evidence-kinds.yaml';
  const evidenceKinds = readEvidenceKinds(
    problems.forFile(kindsFile),
    parseYaml(readFileSync(join(dir, kindsFile), 'utf8')),
  );
  const files = readdirSync(join(dir, 'workflows'))
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .flatMap((name) => {
      const path = `workflows/${name}`;
      const bytes = readFileSync(join(dir, path));
      try {
        return [
          { path, bytes, document: parseYaml(bytes.toString('utf8'), { uniqueKeys: true }) as unknown },
        ];
      } catch {
        problems.forFile(path).add('', 'not valid YAML');
        return [];
      }
    });
  const workflows = readWorkflows(problems, files, evidenceKinds);
  return { workflows, problems: problems.problems };
}

function problemsOf(files: Record<string, string>): ContentProblem[] {
  return loadWorkflows(contentDirWith(files)).problems;
}

/** A small valid workflow; tests change one thing in it. */
const VALID = `
id: demo
version: 1
title: Demo
initial: drafting
states:
  drafting:
    meta:
      description: Drafting.
      evidence: { steps: [testing], kinds: [emc-test-report] }
      roles: { SUBMIT_TEST_REPORTS: [customiser, legal], ABANDON: [legal] }
    on:
      SUBMIT_TEST_REPORTS:
        target: declaration
        guard:
          type: allOf
          params:
            guards:
              - { type: requiredEvidenceAccepted, params: { steps: [testing] } }
              - { type: evidenceAccepted, params: { kinds: [emc-test-report] } }
      ABANDON: abandoned
  declaration:
    meta:
      description: Signing.
      roles: { SIGN_DECLARATION: [legal] }
    on:
      SIGN_DECLARATION:
        target: done
        guard: { type: signaturePresent, params: { meaning: declaration of conformity } }
  done:
    type: final
    meta: { description: Done. }
  abandoned:
    type: final
    meta: { description: Given up. }
`;

function variant(replace: [string, string][]): string {
  let text = VALID;
  for (const [from, to] of replace) {
    if (!text.includes(from)) throw new Error(`test fixture has no ${from}`);
    text = text.replace(from, to);
  }
  return text;
}

function expectProblem(problems: ContentProblem[], path: string, message: RegExp): void {
  const match = problems.find(
    (p) => p.file === 'workflows/demo.yaml' && p.path === path && message.test(p.message),
  );
  if (!match) {
    throw new Error(
      `no problem at workflows/demo.yaml ${path} matching ${message}; got:\n${JSON.stringify(problems, null, 2)}`,
    );
  }
}

describe('shipped workflows', () => {
  const content = loadWorkflows(REPO);

  it('have no problems', () => {
    expect(content.problems.map(formatProblem)).toEqual([]);
  });

  it('have no problems when the service loads its content', () => {
    // Other content may be mid-change; the workflows themselves must be clean.
    let problems: ContentProblem[] = [];
    try {
      const loaded = loadContent(REPO);
      expect(loaded.workflows.size).toBe(22);
    } catch (error) {
      if (!(error instanceof ContentError)) throw error;
      problems = error.problems;
    }
    expect(problems.filter((p) => p.file.startsWith('workflows/')).map(formatProblem)).toEqual([]);
  });

  it('load, one per procedure, with the ids routes refer to', () => {
    expect([...content.workflows.keys()].sort()).toEqual([
      'eu-full-quality-assurance',
      'eu-md-annex-ix',
      'eu-md-annex-viii',
      'eu-md-annex-x',
      'eu-md-partly-completed',
      'eu-module-a',
      'eu-mr-partly-completed',
      'eu-type-examination',
      'eu-unit-verification',
      'gb-full-quality-assurance',
      'gb-module-a',
      'gb-psti-statement',
      'gb-smsr-annex-ix',
      'gb-smsr-annex-viii',
      'gb-smsr-annex-x',
      'gb-smsr-partly-completed',
      'gb-type-examination',
      'us-fcc-certification',
      'us-fcc-modular-host',
      'us-fcc-sdoc',
      'us-nrtl-field-evaluation',
      'us-nrtl-listing',
    ]);
  });

  it('pin the file they came from with its SHA-256', () => {
    const def = content.workflows.get('eu-module-a');
    expect(def?.file).toBe('workflows/eu-module-a.yaml');
    expect(def?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(def?.version).toBe(3);
  });

  it('derive signatures from the guards: the declaration and the technical file are signed', () => {
    const def = content.workflows.get('eu-module-a');
    const sign = def?.states.declaration.events.find((e) => e.type === 'SIGN_DECLARATION');
    expect(sign).toMatchObject({
      target: 'marking',
      roles: ['legal'],
      signature: 'declaration of conformity',
      reliesOnSignatures: ['technical file approved'],
    });
    const approve = def?.states.technical_file_compilation.events.find(
      (e) => e.type === 'APPROVE_TECHNICAL_FILE',
    );
    expect(approve?.signature).toBe('technical file approved');
  });

  it("check every evidence step the routes' requirements may use", () => {
    const all = [
      'scoping',
      'standards',
      'risk-assessment',
      'testing',
      'instructions-and-marking',
      'technical-file',
    ];
    const covered = Object.fromEntries([...content.workflows.values()].map((w) => [w.id, w.evidenceSteps]));
    for (const id of [
      'eu-module-a',
      'gb-module-a',
      'eu-md-annex-viii',
      'gb-smsr-annex-viii',
      'eu-mr-partly-completed',
      'eu-md-partly-completed',
      'gb-smsr-partly-completed',
    ]) {
      expect(covered[id]).toEqual([...all, 'declaration']);
    }
    for (const id of Object.keys(covered).filter((i) =>
      /type-examination|quality|unit-verification|annex-ix|annex-x/.test(i),
    )) {
      expect(covered[id]).toEqual([...all, 'notified-body', 'declaration']);
    }
    expect(covered['gb-psti-statement']).toEqual([
      'scoping',
      'risk-assessment',
      'testing',
      'instructions-and-marking',
      'declaration',
    ]);
    expect(covered['us-fcc-sdoc']).toEqual([
      'scoping',
      'testing',
      'instructions-and-marking',
      'technical-file',
      'declaration',
    ]);
    expect(covered['us-fcc-modular-host']).toEqual([
      'scoping',
      'testing',
      'instructions-and-marking',
      'technical-file',
      'declaration',
    ]);
    expect(covered['us-fcc-certification']).toEqual([
      'scoping',
      'testing',
      'instructions-and-marking',
      'technical-file',
      'notified-body',
    ]);
    expect(covered['us-nrtl-listing']).toEqual([
      'scoping',
      'standards',
      'testing',
      'instructions-and-marking',
      'technical-file',
      'notified-body',
    ]);
    expect(covered['us-nrtl-field-evaluation']).toEqual([
      'scoping',
      'standards',
      'testing',
      'instructions-and-marking',
      'technical-file',
      'notified-body',
    ]);
  });

  it('rebuild from the pinned JSON config alone', () => {
    const def = content.workflows.get('us-fcc-sdoc');
    if (!def) throw new Error('missing');
    const rebuilt = definitionFromConfig(JSON.parse(JSON.stringify(def.config)), {
      file: def.file,
      hash: def.hash,
    });
    expect(rebuilt.states).toEqual(def.states);
  });
});

describe('workflow validation', () => {
  it('accepts the valid fixture', () => {
    const { workflows, problems } = loadWorkflows(contentDirWith({ 'demo.yaml': VALID }));
    expect(problems).toEqual([]);
    const demo = workflows.get('demo');
    expect(demo?.states.drafting.evidence).toEqual({ steps: ['testing'], kinds: ['emc-test-report'] });
    expect(demo?.states.done).toMatchObject({ final: true, status: 'closed' });
  });

  it('reports the file and the path inside it in the error message', () => {
    expect(() =>
      loadContent(contentDirWith({ 'demo.yaml': variant([['target: done', 'target: nowhere']]) })),
    ).toThrow(
      /workflows\/demo\.yaml at states\.declaration\.on\.SIGN_DECLARATION\.target: target state 'nowhere' does not exist/,
    );
  });

  it.each([
    [
      'unknown guard name',
      [['type: signaturePresent', 'type: signatureSigned']],
      'states.declaration.on.SIGN_DECLARATION.guard.type',
      /unknown guard 'signatureSigned'/,
    ],
    [
      'guard without params',
      [
        [
          'guard: { type: signaturePresent, params: { meaning: declaration of conformity } }',
          'guard: signaturePresent',
        ],
      ],
      'states.declaration.on.SIGN_DECLARATION.guard',
      /needs params/,
    ],
    [
      'bad guard params',
      [['params: { meaning: declaration of conformity }', 'params: { meaning: 3 }']],
      'states.declaration.on.SIGN_DECLARATION.guard.params.meaning',
      /non-empty string/,
    ],
    [
      'unknown guard param',
      [['params: { meaning: declaration of conformity }', 'params: { meaning: x, who: legal }']],
      'states.declaration.on.SIGN_DECLARATION.guard.params.who',
      /unknown param 'who'/,
    ],
    [
      'unknown evidence kind in a guard',
      [['kinds: [emc-test-report] } }', 'kinds: [emc-tset-report] } }']],
      'states.drafting.on.SUBMIT_TEST_REPORTS.guard.params.guards[1].params.kinds[0]',
      /unknown evidence kind 'emc-tset-report'/,
    ],
    [
      'unknown evidence step in a guard',
      [['{ steps: [testing] } }', '{ steps: [tests] } }']],
      'states.drafting.on.SUBMIT_TEST_REPORTS.guard.params.guards[0].params.steps[0]',
      /unknown step 'tests'/,
    ],
    [
      'unknown evidence kind in meta',
      [['kinds: [emc-test-report] }', 'kinds: [emc-test-report, telepathy] }']],
      'states.drafting.meta.evidence.kinds[1]',
      /unknown evidence kind 'telepathy'/,
    ],
    [
      'meta evidence not covering the guard',
      [['evidence: { steps: [testing], kinds: [emc-test-report] }', 'evidence: { steps: [testing] }']],
      'states.drafting.meta.evidence.kinds',
      /checks 'emc-test-report'; list it here/,
    ],
    [
      'unknown role',
      [['ABANDON: [legal] }', 'ABANDON: [lawyer] }']],
      'states.drafting.meta.roles.ABANDON[0]',
      /unknown role 'lawyer'/,
    ],
    [
      'auditor sending events',
      [['ABANDON: [legal] }', 'ABANDON: [auditor] }']],
      'states.drafting.meta.roles.ABANDON[0]',
      /auditors only read/,
    ],
    [
      'event without roles',
      [
        [
          'roles: { SUBMIT_TEST_REPORTS: [customiser, legal], ABANDON: [legal] }',
          'roles: { SUBMIT_TEST_REPORTS: [customiser, legal] }',
        ],
      ],
      'states.drafting.meta.roles.ABANDON',
      /say which roles may send ABANDON/,
    ],
    [
      'roles for an event the state does not accept',
      [['roles: { SIGN_DECLARATION: [legal] }', 'roles: { SIGN_DECLARATION: [legal], ARCHIVE: [legal] }']],
      'states.declaration.meta.roles.ARCHIVE',
      /not an event of this state/,
    ],
    [
      'missing target state',
      [['ABANDON: abandoned', 'ABANDON: gone']],
      'states.drafting.on.ABANDON.target',
      /target state 'gone' does not exist/,
    ],
    ['unknown top-level key', [['title: Demo', 'title: Demo\nowner: legal']], 'owner', /unknown key 'owner'/],
    [
      'invoke',
      [['title: Demo', 'title: Demo\ninvoke: { src: fetchEvidence }']],
      'invoke',
      /not supported: machines do no I\/O/,
    ],
    [
      'after in a state',
      [['  declaration:\n    meta:', '  declaration:\n    after: { 1000: done }\n    meta:']],
      'states.declaration.after',
      /not supported: no timers/,
    ],
    [
      'entry actions',
      [['  declaration:\n    meta:', '  declaration:\n    entry: [notify]\n    meta:']],
      'states.declaration.entry',
      /not supported: no actions/,
    ],
    [
      'nested states',
      [['  declaration:\n    meta:', '  declaration:\n    initial: a\n    states: { a: {} }\n    meta:']],
      'states.declaration.states',
      /no nested states/,
    ],
    [
      'parallel type',
      [['  done:\n    type: final', '  done:\n    type: parallel']],
      'states.done.type',
      /only 'final'/,
    ],
    [
      'transition actions',
      [['        target: done\n', '        target: done\n        actions: [log]\n']],
      'states.declaration.on.SIGN_DECLARATION.actions',
      /no actions/,
    ],
    [
      'guarded alternatives',
      [['ABANDON: abandoned', 'ABANDON: [abandoned, done]']],
      'states.drafting.on.ABANDON',
      /one transition per event/,
    ],
    [
      'wildcard event',
      [
        ['ABANDON: abandoned', "'*': abandoned"],
        ['ABANDON: [legal] }', "'*': [legal] }"],
      ],
      'states.drafting.on.*',
      /no wildcards/,
    ],
    [
      'events on a final state',
      [
        [
          '    meta: { description: Done. }',
          '    meta: { description: Done. }\n    on: { REOPEN: drafting }',
        ],
      ],
      'states.done.on',
      /a final state accepts no events/,
    ],
    [
      'two signatures on one event',
      [
        [
          'guard: { type: signaturePresent, params: { meaning: declaration of conformity } }',
          'guard: { type: allOf, params: { guards: [{ type: signaturePresent, params: { meaning: a } }, { type: signaturePresent, params: { meaning: b } }] } }',
        ],
      ],
      'states.declaration.on.SIGN_DECLARATION.guard',
      /one signature/,
    ],
    ['version not an integer', [['version: 1', 'version: 1.5']], 'version', /positive whole number/],
    ['id not the file name', [['id: demo', 'id: other']], 'id', /must be the file name \('demo'\)/],
    [
      'missing initial state',
      [['initial: drafting', 'initial: drafted']],
      'initial',
      /'drafted' does not exist/,
    ],
    [
      'bad status',
      [['      description: Signing.', '      description: Signing.\n      status: shipped']],
      'states.declaration.meta.status',
      /must be one of/,
    ],
    [
      'unreachable state',
      [
        [
          '  abandoned:\n',
          '  orphan:\n    meta: { description: Orphan., roles: { ABANDON: [legal] } }\n    on: { ABANDON: abandoned }\n  abandoned:\n',
        ],
      ],
      'states.orphan',
      /cannot be reached from the initial state 'drafting'/,
    ],
    [
      'no final state reachable',
      [
        ['        target: done\n', '        target: limbo\n'],
        [
          '  abandoned:\n',
          '  limbo:\n    meta: { description: Stuck., roles: { WAIT: [legal] } }\n    on: { WAIT: limbo }\n  abandoned:\n',
        ],
      ],
      'states.limbo',
      /no final state can be reached from here/,
    ],
  ] as [string, [string, string][], string, RegExp][])('reports %s', (_name, replace, path, message) => {
    expectProblem(problemsOf({ 'demo.yaml': variant(replace) }), path, message);
  });

  it('reports a duplicate id', () => {
    const problems = problemsOf({ 'demo.yaml': VALID, 'demo.yml': VALID });
    expect(problems).toContainEqual({
      file: 'workflows/demo.yml',
      path: 'id',
      message: "workflow id 'demo' is already used by workflows/demo.yaml",
    });
  });

  it('reports a workflow that is not valid YAML (through loadContent)', () => {
    const dir = contentDirWith({ 'demo.yaml': 'id: demo\nstates: [\n' });
    let problems: ContentProblem[] = [];
    try {
      loadContent(dir);
    } catch (error) {
      if (!(error instanceof ContentError)) throw error;
      problems = error.problems;
    }
    expect(problems.some((p) => p.file === 'workflows/demo.yaml' && /not valid YAML/.test(p.message))).toBe(
      true,
    );
  });
});
