import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { API, bearer, createActor, startApp, type Actor, type TestApp } from '../support/app-harness.js';
import {
  acceptedEvidence,
  createProduct,
  createVariant,
  samplePdf,
  upload,
  openCase,
} from '../support/fixtures.js';
import { openBrowser, type ConsoleBrowser, type ConsolePage } from './browser.js';

/*
 * The web console driven in Debian's chromium against the real app (SQLite, real port): the walks
 * of issue 8. Screenshots go to test-output/screenshots/.
 */

interface Requirement {
  kind: string;
}

/**
 * Every control in the page's main landmark has an accessible name (a label, aria-label,
 * aria-labelledby or, for buttons, text). Runs in the page, hence a string: the tests compile
 * without the DOM library.
 */
const UNLABELLED_CONTROLS = `[...document.querySelectorAll('main input, main select, main textarea, main button')]
  .filter((el) => el.type !== 'hidden')
  .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') &&
    !el.getAttribute('aria-labelledby') && !(el.tagName === 'BUTTON' && el.textContent.trim()))
  .map((el) => el.outerHTML.slice(0, 120))`;

async function unlabelledControls(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(UNLABELLED_CONTROLS);
}

/** Polls a condition in the test (page-side polling would need eval, which the CSP forbids). */
async function until(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A PDF padded to about `size` bytes, so an upload takes long enough to show its progress. */
function largePdf(size: number): Buffer {
  const pdf = samplePdf('large product description');
  return Buffer.concat([pdf, Buffer.from(`%${'x'.repeat(size)}\n`, 'latin1')]);
}

describe('web console in chromium', () => {
  let t: TestApp;
  let browser: ConsoleBrowser;
  let workshop: Actor;
  let legal: Actor;
  let auditor: Actor;
  let auditorWithout: Actor;
  let variantId: string;
  let scopingCaseId: string;
  let approvalCaseId: string;
  const pages: ConsolePage[] = [];

  const open = async (): Promise<ConsolePage> => {
    const p = await browser.newPage();
    pages.push(p);
    return p;
  };

  beforeAll(async () => {
    [t, browser] = await Promise.all([startApp('sqlite'), openBrowser()]);
    const maintainer = await createActor(t, ['maintainer'], 'Commons design team', 'Mara Maintainer');
    workshop = await createActor(t, ['customiser'], 'Fräswerk Leipzig', 'Jonas Workshop');
    legal = await createActor(t, ['legal'], 'Legal team', 'Ana Legal');
    auditor = await createActor(t, ['auditor'], 'Audit partners', 'Erik Auditor');
    auditorWithout = await createActor(t, ['auditor'], 'Audit partners', 'Priya Auditor');
    const productId = await createProduct(t, maintainer.token);
    variantId = await createVariant(t, workshop.token, productId, 'mill-1500w', {
      motorPowerW: 1500,
      placingOnMarket: '2027-03-01',
    });
    const opened = await openCase(t, workshop.token, variantId, 'eu-mr', 'A');
    scopingCaseId = opened.id;

    // A second variant whose case waits for legal's approval of the technical file, with the
    // drawings still to review.
    const second = await createVariant(t, workshop.token, productId, 'mill-1200w', {
      motorPowerW: 1200,
      placingOnMarket: '2027-03-01',
    });
    const approval = await openCase(t, workshop.token, second, 'eu-mr', 'A');
    approvalCaseId = approval.id;
    for (const r of approval.requirements as Requirement[]) {
      if (r.kind === 'technical-drawings') {
        const res = await upload(t, workshop.token, `variants/${second}`, {
          kind: r.kind,
          filename: 'drawings-mill-1200w.pdf',
        });
        expect(res.status).toBe(201);
      } else {
        await acceptedEvidence(t, workshop.token, legal.token, `variants/${second}`, { kind: r.kind });
      }
    }
    for (const type of [
      'COMPLETE_SCOPING',
      'SELECT_STANDARDS',
      'COMPLETE_RISK_ASSESSMENT',
      'SUBMIT_TEST_REPORTS',
      'COMPLETE_INSTRUCTIONS',
    ]) {
      const res = await t.http
        .post(`${API}/cases/${approvalCaseId}/events`)
        .set('Authorization', bearer(workshop.token))
        .send({ type });
      expect({ type, status: res.status }).toEqual({ type, status: 200 });
    }
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('serves the console at / under the CSP, and shows API problems clearly', async () => {
    const res = await fetch(`${t.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await res.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    // The API is untouched by the static files.
    expect((await fetch(`${t.url}${API}/health`)).status).toBe(200);

    const { page, errors, screenshot } = await open();
    await page.goto(`${t.url}/`);
    await page.getByRole('heading', { name: 'Sign in to certflow' }).waitFor();
    await page.getByLabel('Access token').fill('cf_not-a-real-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const problem = page.getByRole('alert');
    await problem.waitFor();
    expect(await problem.innerText()).toContain('Authentication required');
    expect(await page.evaluate<number>('sessionStorage.length')).toBe(0);
    await screenshot('sign-in-refused');
    expect(errors).toEqual([]);
  });

  it('a customiser sees the applicable law, uploads evidence with progress and sees the blocked step explained', async () => {
    const { page, errors, signIn, screenshot } = await open();
    await signIn(t.url, workshop.token);
    expect(await page.locator('#signed-in-as').innerText()).toContain('Jonas Workshop');
    // The token is kept for the tab only, never in the address.
    expect(page.url()).not.toContain(workshop.token);
    expect(await page.evaluate<string | null>("sessionStorage.getItem('certflow.token')")).toBe(
      workshop.token,
    );

    await page.getByRole('link', { name: 'Variant mill-1500w' }).click();
    await page.getByRole('heading', { name: 'Variant mill-1500w', level: 1 }).waitFor();
    const machinery = page.locator('[data-market="EU"] article[data-regime="eu-mr"]');
    await machinery.waitFor();
    expect(await machinery.innerText()).toMatch(/applies/);
    expect(await machinery.locator('cite').first().innerText()).toContain('2023/1230');
    await screenshot('customiser-variant-applicability');

    await page.getByRole('link', { name: 'eu-mr · route A' }).first().click();
    const step = page.locator('li[data-event="COMPLETE_SCOPING"]');
    await step.waitFor();
    expect(page.url()).toBe(`${t.url}/#/cases/${scopingCaseId}`);
    expect(await step.getByRole('button').isDisabled()).toBe(true);
    expect(await step.locator('.blocked').innerText()).toContain('product-description: nothing uploaded yet');
    expect(await page.locator('.state-graph .node.current').getAttribute('data-state')).toBe('scoping');

    // Upload the missing document through a slowed network, so the progress bar has time to move.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: 400 * 1024,
    });
    const form = page.locator('form.upload');
    expect(await form.getByLabel('Evidence kind').inputValue()).toBe('product-description');
    await form.getByLabel('File', { exact: true }).setInputFiles({
      name: 'product-description-mill-1500w.pdf',
      mimeType: 'application/pdf',
      buffer: largePdf(600 * 1024),
    });
    await form.getByLabel('Issuer').fill('Fräswerk Leipzig GmbH');
    await form.getByRole('button', { name: 'Upload' }).click();
    const progress = form.getByLabel('Upload progress');
    await progress.waitFor();
    // Seen part-way: the bar follows the bytes as they leave the browser.
    await until(async () => {
      const value = await progress.evaluate((bar) => (bar as unknown as { value: number }).value);
      return value > 0 && value < 100;
    }, 'the upload progress bar to move');
    await screenshot('customiser-upload-progress');
    await page.locator('.flash').waitFor({ timeout: 15_000 });
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
    expect(await page.locator('.flash').innerText()).toContain('Uploaded product-description');

    // Still blocked, and the console says why: the document waits for the legal team.
    const blocked = page.locator('li[data-event="COMPLETE_SCOPING"] .blocked');
    await blocked.filter({ hasText: 'pending review' }).waitFor();
    expect(await blocked.innerText()).toContain('pending review');
    expect(await page.locator('li[data-event="COMPLETE_SCOPING"] button').isDisabled()).toBe(true);
    // Customisers may not review: no accept button for them.
    expect(await page.getByRole('button', { name: 'Accept' }).count()).toBe(0);
    await screenshot('customiser-blocked-step-explained');
    expect(await unlabelledControls(page)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('a legal user reviews evidence and advances a case, confirming the signature it needs', async () => {
    const { page, errors, signIn, screenshot } = await open();
    await signIn(t.url, legal.token);
    await page.goto(`${t.url}/#/cases/${approvalCaseId}`);
    const approve = page.locator('li[data-event="APPROVE_TECHNICAL_FILE"]');
    await approve.waitFor();
    expect(await page.locator('.state-graph .node.current').getAttribute('data-state')).toBe(
      'technical_file_compilation',
    );
    expect(await approve.getByRole('button').isDisabled()).toBe(true);
    expect(await approve.locator('.blocked').innerText()).toContain('technical-drawings');

    // Review: a comment is required, then accept.
    const pending = page.locator('.evidence-item', { hasText: 'drawings-mill-1200w.pdf' });
    await pending.getByRole('button', { name: 'Accept' }).click();
    expect(await pending.getByRole('alert').innerText()).toContain('A comment is required');
    await pending
      .getByLabel('Review comment for drawings-mill-1200w.pdf')
      .fill('Drawings match the 1.2 kW spindle mount; accepted.');
    await pending.getByRole('button', { name: 'Accept' }).click();
    await page.locator('.flash', { hasText: 'accepted' }).waitFor();
    await screenshot('legal-evidence-reviewed');

    // Now the step is open; it needs a signature, which a dialog states before anything is sent.
    const button = page.locator('li[data-event="APPROVE_TECHNICAL_FILE"] button');
    await page.locator('li[data-event="APPROVE_TECHNICAL_FILE"] button:not([disabled])').waitFor();
    await page.getByLabel('Comment for the audit log (optional)').fill('Technical file complete.');
    await button.click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    expect(await dialog.innerText()).toContain('technical file approved');
    await screenshot('legal-signature-dialog');
    // Cancel (Escape) sends nothing.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await page.locator('#case-state').getAttribute('data-state')).toBe('technical_file_compilation');
    await button.click();
    await dialog.getByRole('button', { name: 'Sign and send' }).click();
    await page.locator('.flash', { hasText: 'declaration' }).waitFor();
    expect(await page.locator('#case-state').getAttribute('data-state')).toBe('declaration');
    expect(await page.locator('.state-graph .node.current').getAttribute('data-state')).toBe('declaration');
    expect(await page.locator('#signatures-h + * ').innerText()).toContain('technical file approved');
    await screenshot('legal-case-advanced');

    const after = await t.http
      .get(`${API}/cases/${approvalCaseId}`)
      .set('Authorization', bearer(legal.token));
    expect(after.body).toMatchObject({ state: 'declaration', version: 7 });
    expect(after.body.signatures[0]).toMatchObject({
      meaning: 'technical file approved',
      signer: { id: legal.userId },
    });
    expect(await unlabelledControls(page)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('an auditor with a grant sees only that variant, its verified audit chain, and downloads a dossier', async () => {
    const grant = await t.http
      .post(`${API}/auditor-grants`)
      .set('Authorization', bearer(legal.token))
      .send({
        userId: auditor.userId,
        variantId,
        expiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      });
    expect(grant.status).toBe(201);

    const { page, errors, signIn, screenshot } = await open();
    await signIn(t.url, auditor.token);
    await page.getByRole('heading', { name: 'Auditor view', level: 1 }).waitFor();
    const cards = page.locator('article.audited-variant');
    await cards.first().waitFor();
    expect(await cards.count()).toBe(1);
    const card = cards.first();
    expect(await card.getAttribute('data-variant')).toBe(variantId);
    await card.locator('[data-stream^="variant:"] [data-valid="true"]').waitFor();
    expect(await card.locator('[data-valid="false"]').count()).toBe(0);

    // Auditors only read: no control to generate, and until legal has generated one, a clear word.
    const none = card.locator('.no-dossier');
    await none.waitFor();
    expect(await none.innerText()).toContain('Ask the legal team');
    expect(await page.getByRole('button', { name: 'Generate dossier' }).count()).toBe(0);
    expect(await page.getByLabel('Market').count()).toBe(0);
    await screenshot('auditor-granted-no-dossier-yet');

    // The legal team generates the EU dossier (auditors may not: 403).
    const refused = await t.http
      .post(`${API}/variants/${variantId}/dossiers`)
      .set('Authorization', bearer(auditor.token))
      .send({ market: 'EU' });
    expect(refused.status).toBe(403);
    const requested = await t.http
      .post(`${API}/variants/${variantId}/dossiers`)
      .set('Authorization', bearer(legal.token))
      .send({ market: 'EU' });
    expect(requested.status).toBe(202);
    await until(
      async () => {
        const res = await t.http
          .get(`${API}/dossiers/${requested.body.id}`)
          .set('Authorization', bearer(legal.token));
        return res.body.status !== 'pending';
      },
      'the dossier to render',
      30_000,
    );

    await page.reload();
    const row = page
      .locator('article.audited-variant section.dossiers tbody tr')
      .filter({ has: page.getByRole('rowheader', { name: 'EU', exact: true }) });
    await row.waitFor();
    expect(await row.innerText()).toContain('ready');
    expect(await page.getByRole('button', { name: 'Generate dossier' }).count()).toBe(0);
    const pdfButton = row.getByRole('button', { name: 'Download PDF' });
    await screenshot('auditor-granted-dossier-ready');
    const [download] = await Promise.all([page.waitForEvent('download'), pdfButton.click()]);
    expect(download.suggestedFilename()).toBe(`dossier-${requested.body.id}.pdf`);
    const pdf = readFileSync(await download.path());
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');

    // The variant page shows the same read-only list.
    await page.goto(`${t.url}/#/variants/${variantId}`);
    await page.locator('section.dossiers tbody tr').first().waitFor();
    expect(await page.getByRole('button', { name: 'Generate dossier' }).count()).toBe(0);
    expect(await page.locator('section.dossiers').getByRole('button', { name: 'Download PDF' }).count()).toBe(
      1,
    );
    expect(await unlabelledControls(page)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('an auditor without a grant sees nothing', async () => {
    const { page, errors, signIn, screenshot } = await open();
    await signIn(t.url, auditorWithout.token);
    await page.locator('#no-grants').waitFor();
    expect(await page.locator('article.audited-variant').count()).toBe(0);
    expect(await page.locator('#no-grants').innerText()).toContain(auditorWithout.userId);
    await screenshot('auditor-without-grant');
    // Asking for the variant directly answers as if it did not exist.
    await page.goto(`${t.url}/#/variants/${variantId}`);
    const problem = page.getByRole('alert');
    await problem.waitFor();
    expect(await problem.innerText()).toContain('Not found');
    expect(await page.locator('main').innerText()).not.toContain('mill-1500w');
    expect(errors).toEqual([]);
  });
});
