import { parentPort } from 'node:worker_threads';
import type { RenderReply, RenderRequest } from './dossier-renderer.js';
import { renderDossier } from './render-dossier.js';

/*
 * Worker-thread entry: renders one dossier at a time for `DossierRenderer`. Started as compiled
 * `render-worker.js` from dist/, or as this .ts file with the TypeScript source hooks under Jest.
 */

const port = parentPort;
if (!port) throw new Error('render-worker.js runs in a worker thread started by DossierRenderer');

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
