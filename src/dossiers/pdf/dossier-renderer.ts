import { Worker } from 'node:worker_threads';
import type { DossierModel } from '../dossier-model.js';
import type { RenderResult } from './render-dossier.js';

/*
 * Renders dossiers in worker threads, so pdfkit's synchronous, CPU-bound work never runs on the
 * event loop that serves requests. Jobs queue; each worker renders one dossier at a time and is
 * kept for the next job. A worker that dies fails its job and is replaced on the next one.
 *
 * Where the worker code comes from: compiled, this file is dist/.../dossier-renderer.js and the
 * worker runs the compiled render-worker.js beside it. Under Jest this file is a .ts source that
 * ts-jest transformed in-process, but a Worker is a fresh Node instance that Jest does not
 * transform, so the worker runs render-worker.ts with ts-source-hooks.mjs registered
 * (`--import ts-source-register.mjs`), which transpiles the sources as Node loads them.
 */

export interface RenderRequest {
  id: number;
  model: DossierModel;
  outputPath: string;
}

export type RenderReply =
  { id: number; ok: true; result: RenderResult } | { id: number; ok: false; message: string; stack?: string };

export interface DossierRendererOptions {
  /** Worker threads rendering at the same time (default 1: rendering is CPU-bound). */
  workers?: number;
  /**
   * Old-generation heap of each worker, in MB (default 256). The live memory of a render is small
   * (the model plus one page: about 40 MB for 1,200 pages), but without a limit V8 lets garbage
   * pile up to several hundred MB on long renders before it collects. A model too large for the
   * limit fails its job with an out-of-memory error instead of taking the process down.
   */
  maxHeapMb?: number;
}

interface Job {
  request: RenderRequest;
  resolve: (result: RenderResult) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker | null;
  job: Job | null;
}

const here = import.meta.url;
const fromSources = here.endsWith('.ts');
const workerEntry = new URL(fromSources ? './render-worker.ts' : './render-worker.js', here);
// A worker inherits the parent's Node options unless given its own, and some of them break it
// (`--input-type` with `-e`, `--inspect`): it gets only what it needs.
const workerExecArgv = [
  ...process.execArgv.filter((option) => option === '--enable-source-maps'),
  ...(fromSources ? ['--import', new URL('./ts-source-register.mjs', here).href] : []),
];

export class DossierRenderer {
  private readonly slots: Slot[];
  private readonly maxHeapMb: number;
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  constructor(options: DossierRendererOptions = {}) {
    const workers = options.workers ?? 1;
    if (!Number.isInteger(workers) || workers < 1)
      throw new Error('DossierRenderer needs at least one worker');
    this.slots = Array.from({ length: workers }, () => ({ worker: null, job: null }));
    this.maxHeapMb = options.maxHeapMb ?? 256;
  }

  /** Renders `model` to `outputPath` in a worker; resolves with the page count, SHA-256 and size. */
  render(model: DossierModel, outputPath: string): Promise<RenderResult> {
    if (this.closed) return Promise.reject(new Error('DossierRenderer is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ request: { id: this.nextId++, model, outputPath }, resolve, reject });
      this.pump();
    });
  }

  /** Jobs waiting or rendering. */
  get pending(): number {
    return this.queue.length + this.slots.filter((s) => s.job !== null).length;
  }

  /** Stops the workers; jobs not finished yet fail. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0))
      job.reject(new Error('DossierRenderer closed before the dossier was rendered'));
    await Promise.all(
      this.slots.map(async (slot) => {
        const { worker, job } = slot;
        slot.worker = null;
        slot.job = null;
        job?.reject(new Error('DossierRenderer closed while the dossier was rendering'));
        if (worker) await worker.terminate();
      }),
    );
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.job) continue;
      const job = this.queue.shift() as Job;
      slot.job = job;
      const worker = slot.worker ?? this.spawn(slot);
      // An idle worker must not keep the process alive; a busy one must.
      worker.ref();
      worker.postMessage(job.request);
    }
  }

  private spawn(slot: Slot): Worker {
    const worker = new Worker(workerEntry, {
      execArgv: workerExecArgv,
      resourceLimits: { maxOldGenerationSizeMb: this.maxHeapMb },
    });
    slot.worker = worker;
    worker.on('message', (reply: RenderReply) => {
      const job = slot.job;
      if (!job || job.request.id !== reply.id) return;
      slot.job = null;
      worker.unref();
      if (reply.ok) job.resolve(reply.result);
      else
        job.reject(
          Object.assign(new Error(`dossier rendering failed: ${reply.message}`), {
            workerStack: reply.stack,
          }),
        );
      this.pump();
    });
    const lost = (error: Error) => {
      if (slot.worker !== worker) return;
      slot.worker = null;
      const job = slot.job;
      slot.job = null;
      job?.reject(new Error(`dossier render worker stopped: ${error.message}`, { cause: error }));
      this.pump();
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`exit code ${code}`)));
    return worker;
  }
}
