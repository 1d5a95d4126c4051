import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DossierRenderer } from './dossier-renderer.js';
import { renderDossier } from './render-dossier.js';
import { sampleDossierModel } from './sample-dossier.js';

/*
 * The renderer as the dossier service uses it: in a worker thread. Under Jest the worker runs the
 * TypeScript sources through ts-source-hooks.mjs; compiled, it runs dist's render-worker.js.
 */

let dir: string;
let renderer: DossierRenderer;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'certflow-renderer-'));
  renderer = new DossierRenderer();
});

afterAll(async () => {
  await renderer.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `work` while a 5 ms interval ticks; returns the longest gap between ticks. */
async function longestStall(work: () => Promise<unknown>): Promise<number> {
  let last = performance.now();
  let longest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 5);
  try {
    await work();
    longest = Math.max(longest, performance.now() - last);
  } finally {
    clearInterval(timer);
  }
  return longest;
}

describe('DossierRenderer', () => {
  it('renders in a worker the same bytes as in-process', async () => {
    const model = sampleDossierModel();
    const inWorker = await renderer.render(model, join(dir, 'worker.pdf'));
    const inProcess = await renderDossier(model, join(dir, 'process.pdf'));
    expect(inWorker).toEqual(inProcess);
    expect(readFileSync(join(dir, 'worker.pdf')).equals(readFileSync(join(dir, 'process.pdf')))).toBe(true);
  });

  it('keeps the event loop free while a large dossier renders', async () => {
    const model = sampleDossierModel({ evidence: 150, auditRecordsPerStream: 600 });
    let pages = 0;
    const inWorker = await longestStall(async () => {
      pages = (await renderer.render(model, join(dir, 'large.pdf'))).pages;
    });
    expect(pages).toBeGreaterThan(100);
    expect(inWorker).toBeLessThan(250);

    // The same render on the event loop stalls it for the whole render: the measure can tell.
    const inProcess = await longestStall(() => renderDossier(model, join(dir, 'large-in-process.pdf')));
    expect(inProcess).toBeGreaterThan(4 * inWorker);
    expect(inProcess).toBeGreaterThan(500);
  });

  it('queues jobs and renders each', async () => {
    const jobs = [0, 1, 2].map((i) =>
      renderer.render(sampleDossierModel({ evidence: 10 + i }), join(dir, `queued-${i}.pdf`)),
    );
    expect(renderer.pending).toBe(3);
    const results = await Promise.all(jobs);
    expect(new Set(results.map((r) => r.sha256)).size).toBe(3);
    expect(renderer.pending).toBe(0);
  });

  it('reports a failed render and keeps working', async () => {
    await expect(renderer.render(sampleDossierModel(), join(dir, 'missing', 'x.pdf'))).rejects.toThrow(
      /dossier rendering failed: ENOENT/,
    );
    await expect(
      renderer.render(sampleDossierModel({ evidence: 5 }), join(dir, 'after.pdf')),
    ).resolves.toMatchObject({
      pages: expect.any(Number),
    });
  });

  it('fails the job, not the process, when the worker runs out of memory, and replaces the worker', async () => {
    const small = new DossierRenderer({ maxHeapMb: 48 });
    try {
      await expect(
        small.render(
          sampleDossierModel({ evidence: 2000, auditRecordsPerStream: 20000 }),
          join(dir, 'huge.pdf'),
        ),
      ).rejects.toThrow(/dossier render worker stopped/);
      await expect(
        small.render(sampleDossierModel({ evidence: 2, auditRecordsPerStream: 2 }), join(dir, 'tiny.pdf')),
      ).resolves.toMatchObject({
        pages: expect.any(Number),
      });
    } finally {
      await small.close();
    }
  });

  it('refuses work once closed and fails what was still waiting', async () => {
    const closing = new DossierRenderer();
    const rendering = expect(closing.render(sampleDossierModel(), join(dir, 'never.pdf'))).rejects.toThrow(
      /closed/,
    );
    const waiting = expect(closing.render(sampleDossierModel(), join(dir, 'never.pdf'))).rejects.toThrow(
      /closed/,
    );
    await closing.close();
    await rendering;
    await waiting;
    await expect(closing.render(sampleDossierModel(), join(dir, 'never.pdf'))).rejects.toThrow(/closed/);
  });
});
