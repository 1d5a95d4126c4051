import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { REPO_ROOT } from './support/app-harness.js';

/** A copy of the shipped content where an LVD condition misspells `supplyVoltageAC`. */
function misspeltContent(): string {
  const dir = mkdtempSync(join(tmpdir(), 'certflow-content-check-'));
  cpSync(join(REPO_ROOT, 'rules'), join(dir, 'rules'), { recursive: true });
  cpSync(join(REPO_ROOT, 'workflows'), join(dir, 'workflows'), { recursive: true });
  const file = join(dir, 'rules', 'regimes', 'eu.yaml');
  const text = readFileSync(file, 'utf8');
  // The LVD's own voltage-range condition (the same expression appears in other regimes too).
  const lvd = text.indexOf('\n  eu-lvd:\n');
  const at = text.indexOf('(supplyVoltageAC >= 50 && supplyVoltageAC <= 1000)', lvd);
  const broken =
    lvd < 0 || at < 0
      ? text
      : `${text.slice(0, at)}(supplyVoltageAc${text.slice(at + '(supplyVoltageAC'.length)}`;
  if (broken === text) throw new Error('the LVD condition was not found');
  writeFileSync(file, broken);
  return dir;
}

const EXPECTED =
  "rules/regimes/eu.yaml at regimes.eu-lvd.applies.voltage-range.when: unknown attribute 'supplyVoltageAc' (did you mean 'supplyVoltageAC'?)";

describe('invalid content stops the service and fails npm run content:check with the same message', () => {
  let dir: string;

  beforeAll(() => {
    dir = misspeltContent();
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('the service does not start, and says why', () => {
    // dist/ is built once for the whole run (test/support/build-once.js): rebuilding it here would
    // rewrite files other suites' service processes are loading.
    const dataDir = mkdtempSync(join(tmpdir(), 'certflow-data-'));
    try {
      const run = spawnSync(process.execPath, [join(REPO_ROOT, 'dist', 'src', 'main.js')], {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        timeout: 30000,
        env: { ...process.env, CONTENT_DIR: dir, DATA_DIR: dataDir, PORT: '0', DATABASE_URL: '' },
      });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain(`certflow cannot start: content is invalid (1 problem):\n  - ${EXPECTED}`);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('npm run content:check exits non-zero naming the file and the path', () => {
    const run = spawnSync('npm', ['run', '--silent', 'content:check', '--', dir], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(EXPECTED);
    expect(run.stderr).toMatch(/^content is invalid \(1 problem\):/);
  });

  it('content:check reads CONTENT_DIR and passes on the shipped content', () => {
    const script = join(REPO_ROOT, 'dist', 'scripts', 'content-check.js');
    const broken = spawnSync(process.execPath, [script], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: { ...process.env, CONTENT_DIR: dir },
    });
    expect(broken.status).toBe(1);
    expect(broken.stderr).toContain(EXPECTED);
    const shipped = spawnSync(process.execPath, [script], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(shipped.stderr).toBe('');
    expect(shipped.status).toBe(0);
    expect(shipped.stdout).toMatch(/^content is valid: \d+ files, 15 regimes, /);
  });
});
