import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { REPO_ROOT } from '../support/app-harness.js';
import { freePort, startServiceProcess, type ServiceProcess } from '../support/service-process.js';
import { openBrowser, type ConsoleBrowser } from './browser.js';

/** Runs the compiled demo (`npm run demo` = build, then this) and answers its exit code and output. */
async function runDemo(args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'dist', 'scripts', 'demo.js'), ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, output };
}

describe('npm run demo', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'certflow-demo-'));
  let service: ServiceProcess | undefined;
  let browser: ConsoleBrowser | undefined;

  afterAll(async () => {
    await browser?.close();
    await service?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('seeds the scenario through the API, prints a token per role, and exits with --exit', async () => {
    const port = await freePort();
    const { code, output } = await runDemo(['--exit', '--port', String(port), '--data-dir', dataDir]);
    expect({ code, output }).toMatchObject({ code: 0 });
    expect(output).toContain(`open http://127.0.0.1:${port}/`);
    for (const role of ['admin', 'maintainer', 'customiser', 'legal', 'auditor']) {
      expect(output).toMatch(new RegExp(`^  ${role}\\s+.+\\n\\s+cf_\\S+$`, 'm'));
    }
    expect(output).toMatch(/eu-mr\s+route A\s+placed_on_market/);
    expect(output).toMatch(/us-fcc-15b\s+route sdoc\s+declaration/);
    const tokens = JSON.parse(readFileSync(join(dataDir, 'demo-tokens.json'), 'utf8'));
    expect(Object.keys(tokens)).toHaveLength(7);

    // A second run starts afresh in its own folder; a folder it did not make is refused, untouched.
    const foreign = mkdtempSync(join(tmpdir(), 'certflow-not-demo-'));
    writeFileSync(join(foreign, 'precious.txt'), 'keep me');
    const refused = await runDemo(['--exit', '--port', String(port), '--data-dir', foreign]);
    expect(refused.code).toBe(1);
    expect(refused.output).toContain('was not made by the demo');
    expect(existsSync(join(foreign, 'precious.txt'))).toBe(true);
    rmSync(foreign, { recursive: true, force: true });
  });

  it('leaves data that the console shows when the service serves it again', async () => {
    const tokens = JSON.parse(readFileSync(join(dataDir, 'demo-tokens.json'), 'utf8')) as Record<
      string,
      { role: string; token: string }
    >;
    const legal = Object.values(tokens).find((t) => t.role === 'legal');
    expect(legal).toBeDefined();
    [service, browser] = await Promise.all([startServiceProcess({ DATA_DIR: dataDir }), openBrowser()]);
    const { page, errors, signIn, screenshot } = await browser.newPage();
    await signIn(service.url, legal!.token);
    await page.getByRole('link', { name: 'Open CNC mill, 1.5 kW spindle' }).first().waitFor();
    await page.getByRole('link', { name: 'Open CNC mill with Wi-Fi controller' }).first().waitFor();
    const cases = page.locator('section[aria-labelledby="cases-h"] tbody tr');
    await cases.first().waitFor();
    expect(await cases.count()).toBe(4);
    expect(await page.locator('section[aria-labelledby="cases-h"]').innerText()).toContain(
      'placed on market',
    );
    await screenshot('demo-overview-legal');
    expect(errors).toEqual([]);
  });
});
