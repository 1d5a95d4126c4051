import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { loadContent } from './content-loader.js';
import { ContentError, type ContentProblem } from './content-problem.js';

const REPO = resolve(import.meta.dirname, '..', '..');
const dirs: string[] = [];

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A copy of the shipped content with some files edited. */
function contentWith(edits: Record<string, (text: string) => string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'certflow-content-'));
  dirs.push(dir);
  cpSync(join(REPO, 'rules'), join(dir, 'rules'), { recursive: true });
  cpSync(join(REPO, 'workflows'), join(dir, 'workflows'), { recursive: true });
  for (const [file, edit] of Object.entries(edits)) {
    const path = join(dir, file);
    const before = (() => {
      try {
        return readFileSync(path, 'utf8');
      } catch {
        return '';
      }
    })();
    const after = edit(before);
    if (after === before) throw new Error(`the edit of ${file} changed nothing`);
    writeFileSync(path, after);
  }
  return dir;
}

function replace(from: string, to: string): (text: string) => string {
  return (text) => {
    if (!text.includes(from)) throw new Error(`'${from}' not found`);
    return text.replace(from, to);
  };
}

function problemsOf(dir: string): ContentProblem[] {
  try {
    loadContent(dir);
  } catch (error) {
    if (error instanceof ContentError) return error.problems;
    throw error;
  }
  throw new Error('the content loaded without problems');
}

describe('loading the rules', () => {
  it('loads the shipped rules: every regime of design §3.2, parameters and impact rules', () => {
    const content = loadContent(REPO);
    expect([...content.regimes.keys()]).toHaveLength(15);
    expect(content.parameters.get('mrApplicationDate')?.value).toBe('2027-01-20');
    expect(content.impactRules.length).toBeGreaterThan(10);
  });

  it('stops on a misspelt attribute in a condition, naming file and path', () => {
    const dir = contentWith({
      'rules/regimes/eu.yaml': replace(
        'when: (supplyVoltageAC >= 50 && supplyVoltageAC <= 1000)',
        'when: (supplyVoltageAc >= 50 && supplyVoltageAC <= 1000)',
      ),
    });
    expect(() => loadContent(dir)).toThrow(ContentError);
    expect(problemsOf(dir)).toEqual([
      {
        file: 'rules/regimes/eu.yaml',
        path: 'regimes.eu-lvd.applies.voltage-range.when',
        message: "unknown attribute 'supplyVoltageAc' (did you mean 'supplyVoltageAC'?) (at character 2)",
      },
    ]);
    expect(() => loadContent(dir)).toThrow(
      "rules/regimes/eu.yaml at regimes.eu-lvd.applies.voltage-range.when: unknown attribute 'supplyVoltageAc'",
    );
  });

  it('reports every problem at once: bad expression, unknown kind, route id, key, parameter, value', () => {
    const dir = contentWith({
      'rules/regimes/us.yaml': (text) =>
        replace(
          'when: digitalCircuitry\n',
          'when: digitalCircuitry &&\n',
        )(text)
          .replace('kind: emc-test-report', 'kind: emc-test-reprot')
          .replace('      modular:\n', '      modular-host:\n')
          .replace(
            '        citation: 47 CFR 15.103(b); FCC OET Bulletin 62\n',
            '        citaton: 47 CFR 15.103(b); FCC OET Bulletin 62\n',
          ),
      'rules/regimes/gb.yaml': replace('params.gbRecognisesCe &&', 'params.gbRecognisesCE &&'),
      'rules/impact.yaml': replace("when: value == 'removable-module'", "when: value == 'removable'"),
    });
    const problems = problemsOf(dir).map((p) => `${p.file} at ${p.path}: ${p.message}`);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^rules\/regimes\/us\.yaml at regimes\.us-fcc-15b\.applies\.digital-device\.when: not a valid CEL expression/,
        ),
        "rules/regimes/us.yaml at regimes.us-fcc-15b.evidence.testing[0].kind: unknown evidence kind 'emc-test-reprot' (did you mean 'emc-test-report'?)",
        expect.stringMatching(
          /^rules\/regimes\/us\.yaml at regimes\.us-fcc-radio\.routes\.modular-host: unknown route id 'modular-host'/,
        ),
        expect.stringMatching(
          /^rules\/regimes\/us\.yaml at regimes\.us-fcc-15b\.applies\.not-exempt\.citaton: unknown key 'citaton'/,
        ),
        expect.stringMatching(
          /^rules\/regimes\/gb\.yaml at regimes\.gb-smsr\.notes\.ce-recognised-under-directive\.when: unknown parameter 'gbRecognisesCE' \(did you mean 'gbRecognisesCe'\?\)/,
        ),
        expect.stringMatching(
          /^rules\/impact\.yaml at rules\.removable-radio-module\.when: 'removable' is not a value of value/,
        ),
      ]),
    );
  });

  it('stops on a duplicate regime id across files', () => {
    const dir = contentWith({
      'rules/regimes/extra.yaml': () =>
        'regimes:\n  eu-rohs:\n    market: EU\n    title: Again\n    legalReference: x\n    applies: {}\n    routes: {}\n',
    });
    expect(problemsOf(dir)).toContainEqual({
      file: 'rules/regimes/extra.yaml',
      path: 'regimes.eu-rohs',
      message: "duplicate regime id 'eu-rohs' (already defined in rules/regimes/eu.yaml)",
    });
  });

  it('stops on a route whose workflow does not exist', () => {
    const dir = contentWith({
      'rules/regimes/us.yaml': replace(
        'workflow: us-nrtl-field-evaluation',
        'workflow: us-nrtl-field-inspection',
      ),
    });
    expect(problemsOf(dir)).toEqual([
      {
        file: 'rules/regimes/us.yaml',
        path: 'regimes.us-nrtl.routes.field-evaluation.workflow',
        message: expect.stringMatching(
          /^route field-evaluation of us-nrtl names workflow 'us-nrtl-field-inspection', which does not exist \(did you mean 'us-nrtl-field-evaluation'\?\)/,
        ),
      },
    ]);
  });

  it('stops on a route requiring evidence at a step its workflow never checks', () => {
    const dir = contentWith({
      'rules/regimes/gb.yaml': replace(
        '      testing:\n        - kind: cybersecurity-assessment\n',
        '      standards:\n        - standards-list\n      testing:\n        - kind: cybersecurity-assessment\n',
      ),
    });
    expect(problemsOf(dir)).toEqual([
      {
        file: 'rules/regimes/gb.yaml',
        path: 'regimes.gb-psti.routes.A.workflow',
        message:
          "route A of gb-psti requires evidence at step 'standards', which workflow 'gb-psti-statement' never checks",
      },
    ]);
  });

  it("stops on a route naming no certificate where its shared workflow records the body's decision", () => {
    const dir = contentWith({
      'rules/regimes/eu.yaml': replace(
        '          notified-body:\n            - kind: emc-type-examination-certificate\n              citation: Directive 2014/30/EU Annex III Part A\n',
        '',
      ),
    });
    expect(problemsOf(dir)).toEqual([
      {
        file: 'rules/regimes/eu.yaml',
        path: 'regimes.eu-emc.routes.B+C.evidence',
        message:
          "route B+C of eu-emc requires no evidence at step 'notified-body', where workflow 'eu-type-examination' records the third party's decision: name the certificate, approval, grant or listing it issues",
      },
    ]);
  });

  it('stops on a ground workflow that names no ground, or a workflow that does not exist', () => {
    const dir = contentWith({
      'rules/regimes/eu.yaml': replace(
        '          partly-completed: eu-mr-partly-completed\n',
        '          partly-complete: eu-mr-partly-completed\n          not-listed: eu-mr-module-a\n',
      ),
    });
    expect(problemsOf(dir)).toEqual([
      {
        file: 'rules/regimes/eu.yaml',
        path: 'regimes.eu-mr.routes.A.groundWorkflows.partly-complete',
        message: expect.stringMatching(
          /^'partly-complete' is not a ground of this route's allowedWhen \(did you mean 'partly-completed'\?\)/,
        ),
      },
      {
        file: 'rules/regimes/eu.yaml',
        path: 'regimes.eu-mr.routes.A.groundWorkflows.not-listed',
        message: expect.stringMatching(
          /^route A of eu-mr \(ground not-listed\) names workflow 'eu-mr-module-a', which does not exist/,
        ),
      },
    ]);
  });

  it('stops on a missing regime, an unknown regime id and an unknown rules file', () => {
    const dir = contentWith({
      'rules/regimes/eu.yaml': replace('  eu-rohs:\n', '  eu-roh:\n'),
      'rules/regime.yaml': () => 'regimes: {}\n',
    });
    expect(problemsOf(dir)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ file: 'rules/regimes/eu.yaml', path: 'regimes.eu-roh' }),
        expect.objectContaining({
          file: 'rules/regimes/eu.yaml',
          path: 'regimes.eu-rohs',
          message: 'regime eu-rohs (design §3.2) is not defined',
        }),
        expect.objectContaining({ file: 'rules/regime.yaml', path: '' }),
      ]),
    );
  });

  it('stops on a parameter of the wrong type and an uncertain parameter without what to verify', () => {
    const dir = contentWith({
      'rules/parameters.yaml': (text) =>
        replace(
          "    value: '2027-01-20'",
          '    value: 20270120',
        )(text).replace(/( {2}mrTypeExaminationReviewYears:[\s\S]*?)\n {4}verify: [^\n]*\n/, '$1\n'),
    });
    expect(problemsOf(dir)).toEqual(
      expect.arrayContaining([
        {
          file: 'rules/parameters.yaml',
          path: 'parameters.mrApplicationDate.value',
          message: "must be a date 'YYYY-MM-DD' (quoted)",
        },
        {
          file: 'rules/parameters.yaml',
          path: 'parameters.mrTypeExaminationReviewYears.verify',
          message: 'an uncertain (L) parameter says what to verify',
        },
      ]),
    );
  });
});
