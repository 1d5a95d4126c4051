import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { REPO_ROOT } from '../support/app-harness.js';

/** Debian's chromium; the tests never download a browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(REPO_ROOT, 'test-output', 'screenshots');

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A laptop screen: the console must be usable at 1366×768. */
export const VIEWPORT = { width: 1366, height: 768 };

export interface ConsoleBrowser {
  context: BrowserContext;
  /** A new tab (its own sessionStorage, so its own signed-in user) that records page errors. */
  newPage: () => Promise<ConsolePage>;
  close: () => Promise<void>;
}

export interface ConsolePage {
  page: Page;
  /** Script errors and console errors (CSP violations among them) seen so far. */
  errors: string[];
  signIn: (baseUrl: string, token: string) => Promise<void>;
  screenshot: (name: string) => Promise<string>;
}

/** Starts chromium with a fresh profile; fails with the package to install when it is missing. */
export async function openBrowser(): Promise<ConsoleBrowser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `The browser tests need Debian's chromium at ${CHROMIUM}, which is missing: install it with ` +
        "'apt-get install -y chromium' (or point CHROMIUM_PATH at a chromium binary). Browsers are never downloaded.",
    );
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), 'certflow-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: VIEWPORT,
    acceptDownloads: true,
    locale: 'en-GB',
    timezoneId: 'UTC',
  });
  context.setDefaultTimeout(10_000);
  // The persistent context opens one blank tab; tests open their own.
  await Promise.all(context.pages().map((p) => p.close()));
  return {
    context,
    newPage: async () => {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
      page.on('console', (message) => {
        // A 4xx answer the console shows as a problem is logged by chromium; that is not an error.
        if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
          errors.push(`console: ${message.text()}`);
        }
      });
      return {
        page,
        errors,
        signIn: async (baseUrl, token) => {
          await page.goto(`${baseUrl}/`);
          await page.getByLabel('Access token').fill(token);
          await page.getByLabel('Access token').press('Enter');
          await page.locator('#signed-in-as').waitFor();
        },
        screenshot: async (name) => {
          const path = join(SCREENSHOTS, `${name}.png`);
          await page.screenshot({ path, fullPage: true });
          return path;
        },
      };
    },
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
