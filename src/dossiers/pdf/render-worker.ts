import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import type { RenderReply, RenderRequest } from './dossier-renderer.js';
import { renderDossier } from './render-dossier.js';

/*
 * Worker-thread entry: renders one dossier at a time for `DossierRenderer`. Started as compiled
 * `render-worker.js` from dist/, or as this .ts file with the TypeScript source hooks under Jest.
 */

const port = parentPort;
if (!port) throw new Error('render-worker.js runs in a worker thread started by DossierRenderer');

/** Nice value of the rendering thread: below the threads that serve requests. */
const RENDER_NICENESS = 10;

// Rendering is background work. When the CPU is contended (2 cores: this thread, the event loop,
// the database threads) the kernel should run the request path first: at equal priority a render
// doubled the p99 latency of case transitions (bench/transitions.bench.ts). On Linux a thread's
// id, found through /proc/thread-self, can be given its own nice value; elsewhere it stays as is.
try {
  setPriority(Number(readlinkSync('/proc/thread-self').split('/').pop()), RENDER_NICENESS);
} catch {
  // Not Linux, or not allowed: render at normal priority.
}

port.on('message', (job: RenderRequest) => {
  renderDossier(job.model, job.outputPath).then(
    (result) => port.postMessage({ id: job.id, ok: true, result } satisfies RenderReply),
    (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      const stack = error instanceof Error ? error.stack : undefined;
      port.postMessage({ id: job.id, ok: false, message, stack } satisfies RenderReply);
    },
  );
});
