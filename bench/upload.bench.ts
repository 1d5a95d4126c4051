import { createHash } from 'node:crypto';
import { createWriteStream, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { actorVia, ApiClient } from '../test/support/api-client.js';
import { MILL } from '../test/support/fixtures.js';
import { adminToken, startServiceProcess, tempDataDir } from '../test/support/service-process.js';

/*
 * A 1 GiB evidence upload through the real service (compiled, SQLite, its own process), streamed
 * by the client without holding the file, and the service's peak memory while it happens
 * (VmHWM of the process from /proc). Target: peak RSS under 200 MB.
 *
 * Baseline in the same run: this process writing the same bytes to a file while hashing them,
 * then fsync — what the blob store has to do at least.
 */

const MiB = 1024 * 1024;
const SIZE = 1024 * MiB;

export interface UploadFigures {
  upload1GiBPeakRssMb: number;
  upload1GiBIdleRssMb: number;
  upload1GiBMBps: number;
  rawWriteMBps: number;
  uploadVsRawWrite: number;
}

/** 1 GiB of deterministic, not trivially compressible bytes, generated chunk by chunk. */
function bytes(): Readable {
  let sent = 0;
  const block = Buffer.alloc(MiB);
  return new Readable({
    read() {
      if (sent >= SIZE) return this.push(null);
      for (let i = 0; i < block.length; i += 4) block.writeUInt32LE(((sent + i) * 2654435761) >>> 0, i);
      sent += block.length;
      this.push(Buffer.from(block));
    },
  });
}

function status(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

async function rawWrite(dir: string): Promise<number> {
  const started = process.hrtime.bigint();
  const hash = createHash('sha256');
  const out = createWriteStream(join(dir, 'raw.bin'));
  await pipeline(
    bytes(),
    async function* (source) {
      for await (const chunk of source) {
        hash.update(chunk as Buffer);
        yield chunk;
      }
    },
    out,
  );
  const { openSync, fsyncSync, closeSync } = await import('node:fs');
  const fd = openSync(join(dir, 'raw.bin'), 'r');
  fsyncSync(fd);
  closeSync(fd);
  hash.digest('hex');
  return SIZE / MiB / (Number(process.hrtime.bigint() - started) / 1e9);
}

function upload(url: string, token: string, productId: string): Promise<{ status: number; body: string }> {
  const boundary = 'certflowbench';
  const head = Buffer.from(
    ['kind', 'issuer', 'issuedAt']
      .map(
        (name, i) =>
          `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${['technical-drawings', 'Bench', '2026-11-01'][i]}\r\n`,
      )
      .join('') +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="drawings.bin"\r\n` +
      'Content-Type: application/octet-stream\r\n\r\n',
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return new Promise((resolve, reject) => {
    const req = request(`${url}/api/v1/products/${productId}/evidence`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': `multipart/form-data; boundary=${boundary}`,
        'Content-Length': String(head.length + SIZE + tail.length),
      },
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.write(head);
    const source = bytes();
    source.on('data', (chunk: Buffer) => {
      if (!req.write(chunk)) source.pause();
    });
    req.on('drain', () => source.resume());
    source.on('end', () => req.end(tail));
  });
}

export async function benchUpload(
  log: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Promise<UploadFigures> {
  const data = tempDataDir();
  const service = await startServiceProcess({ DATA_DIR: data.dir, UPLOAD_MAX_BYTES: String(2 * SIZE) });
  try {
    const pid = service.child.pid!;
    const admin = new ApiClient(service.url, adminToken(data.dir));
    const maintainer = (await actorVia(admin, ['maintainer'], 'Commons')).client;
    const product = await maintainer.post('/products', MILL);
    const idle = status(pid, 'VmRSS');
    log(`service idle RSS ${idle.toFixed(1)} MB; uploading 1 GiB…`);
    const started = process.hrtime.bigint();
    const res = await upload(service.url, maintainer.token!, product.body.id);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (res.status !== 201) throw new Error(`upload answered ${res.status}: ${res.body}`);
    const peak = status(pid, 'VmHWM');
    const uploadMBps = SIZE / MiB / seconds;
    const rawMBps = await rawWrite(data.dir);
    const figures: UploadFigures = {
      upload1GiBPeakRssMb: round(peak),
      upload1GiBIdleRssMb: round(idle),
      upload1GiBMBps: round(uploadMBps),
      rawWriteMBps: round(rawMBps),
      uploadVsRawWrite: round(uploadMBps / rawMBps),
    };
    log(
      [
        'upload of 1 GiB (service process, SQLite)',
        `  peak RSS           ${figures.upload1GiBPeakRssMb} MB   (target < 200)`,
        `  idle RSS           ${figures.upload1GiBIdleRssMb} MB`,
        `  upload             ${figures.upload1GiBMBps} MB/s`,
        `  raw hash+write     ${figures.rawWriteMBps} MB/s`,
        `  upload ÷ raw       ${figures.uploadVsRawWrite}`,
      ].join('\n'),
    );
    return figures;
  } finally {
    await service.stop();
    data.remove();
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  benchUpload().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
