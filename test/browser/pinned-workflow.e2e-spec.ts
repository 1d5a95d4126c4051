import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { API, bearer, createActor, REPO_ROOT, startApp, type TestApp } from '../support/app-harness.js';
import { createProduct, createVariant, openCase } from '../support/fixtures.js';
import { openBrowser, type ConsoleBrowser } from './browser.js';

/*
 * A case keeps the workflow version it started with (design §3.4): after a changed workflow is
 * shipped, the case page still draws the version the case pinned (GET /workflows/{id}?hash=).
 */
describe('case page after a workflow update, in chromium', () => {
  const content = mkdtempSync(join(tmpdir(), 'certflow-content-'));
  const data = mkdtempSync(join(tmpdir(), 'certflow-pinned-console-'));
  let t: TestApp | undefined;
  let browser: ConsoleBrowser | undefined;

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    rmSync(content, { recursive: true, force: true });
    rmSync(data, { recursive: true, force: true });
  });

  it('draws the workflow version the case pinned, not the one shipped now', async () => {
    cpSync(join(REPO_ROOT, 'rules'), join(content, 'rules'), { recursive: true });
    cpSync(join(REPO_ROOT, 'workflows'), join(content, 'workflows'), { recursive: true });
    const env = { CONTENT_DIR: content, DATA_DIR: data };
    t = await startApp('sqlite', env);
    const maintainer = await createActor(t, ['maintainer'], 'Commons');
    const workshop = await createActor(t, ['customiser'], 'Workshop', 'Jonas Workshop');
    const productId = await createProduct(t, maintainer.token);
    const variantId = await createVariant(t, workshop.token, productId, 'mill-pinned', {
      placingOnMarket: '2027-03-01',
    });
    const opened = await openCase(t, workshop.token, variantId, 'eu-mr', 'A');
    const pinned = opened.workflow;
    await t.close();

    // Ship a new version of the workflow whose scoping step takes another event.
    const file = join(content, 'workflows', `${pinned.id}.yaml`);
    const yaml = readFileSync(file, 'utf8');
    expect(yaml).toContain('COMPLETE_SCOPING');
    writeFileSync(
      file,
      yaml
        .replace(/^version: (\d+)$/m, (_, v: string) => `version: ${Number(v) + 1}`)
        .replaceAll('COMPLETE_SCOPING', 'CONFIRM_SCOPE'),
    );
    [t, browser] = await Promise.all([startApp('sqlite', env), openBrowser()]);
    const shipped = await t.http
      .get(`${API}/workflows/${pinned.id}?format=mermaid`)
      .set('Authorization', bearer(workshop.token));
    expect(shipped.text).toContain('CONFIRM_SCOPE');

    const { page, errors, signIn, screenshot } = await browser.newPage();
    await signIn(t.url, workshop.token);
    await page.goto(`${t.url}/#/cases/${opened.id}`);
    const graph = page.locator('.state-graph');
    await graph.waitFor();
    expect(await graph.locator('.node.current').getAttribute('data-state')).toBe('scoping');
    expect(await graph.locator('[data-event="COMPLETE_SCOPING"]').count()).toBe(1);
    expect(await graph.locator('[data-event="CONFIRM_SCOPE"]').count()).toBe(0);
    expect(await page.locator('.workflow-figure').textContent()).toContain(`v${pinned.version}`);
    const transitions = (await page.locator('details.transitions').textContent()) ?? '';
    expect(transitions).toContain('COMPLETE_SCOPING');
    expect(transitions).not.toContain('CONFIRM_SCOPE');
    // The step the case can take is the pinned one, matching the diagram.
    await page.locator('li[data-event="COMPLETE_SCOPING"]').waitFor();
    await screenshot('case-pinned-workflow-diagram');
    expect(errors).toEqual([]);
  });
});
