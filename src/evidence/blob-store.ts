import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, type ReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Content-addressed store of evidence bytes under `DATA_DIR/blobs/`. The only code that touches
 * these files.
 *
 * A write streams into a temporary file while hashing (never holding the file in memory), then
 * fsyncs it and renames it to its SHA-256, and fsyncs the directory. Identical bytes are stored
 * once. An interrupted write leaves only a temporary file, which `sweep()` removes at start.
 */
export interface StoredBlob {
  sha256: string;
  size: number;
  /** The first bytes, for media-type detection. */
  head: Buffer;
}

export class BlobTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`blob exceeds ${limit} bytes`);
  }
}

const HEAD_BYTES = 4100;
const SHA256 = /^[0-9a-f]{64}$/;

/** Hashes, counts and caps the bytes flowing through, keeping the first few for sniffing. */
class Meter extends Transform {
  readonly hash = createHash('sha256');
  size = 0;
  private readonly headChunks: Buffer[] = [];
  private headSize = 0;

  constructor(private readonly limit: number) {
    super();
  }

  get head(): Buffer {
    return Buffer.concat(this.headChunks);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.limit) return done(new BlobTooLargeError(this.limit));
    if (this.headSize < HEAD_BYTES) {
      const part = chunk.subarray(0, HEAD_BYTES - this.headSize);
      this.headChunks.push(Buffer.from(part));
      this.headSize += part.length;
    }
    this.hash.update(chunk);
    done(null, chunk);
  }
}

export class BlobStore {
  private readonly tmpDir: string;

  constructor(private readonly root: string) {
    this.tmpDir = join(root, 'tmp');
  }

  async init(): Promise<void> {
    await mkdir(this.tmpDir, { recursive: true });
  }

  /**
   * Streams `source` into a temporary file. Resolves with the staged blob; `commit()` moves it
   * to its content address, `discard()` removes it. Rejects (and removes the temporary file)
   * when the source fails, is aborted, or exceeds `limit` bytes.
   */
  async stage(source: Readable, limit: number): Promise<StagedBlob> {
    const temporary = join(this.tmpDir, `${randomUUID()}.part`);
    const meter = new Meter(limit);
    try {
      await pipeline(source, meter, createWriteStream(temporary, { flags: 'wx' }));
      const handle = await open(temporary, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    return new StagedBlob(this, temporary, meter.hash.digest('hex'), meter.size, meter.head);
  }

  /** Moves a staged file to its content address (or drops it when the bytes are already stored). */
  async place(temporary: string, sha256: string): Promise<void> {
    const target = this.pathOf(sha256);
    const dir = join(target, '..');
    await mkdir(dir, { recursive: true });
    if (await exists(target)) {
      await rm(temporary, { force: true });
      return;
    }
    await rename(temporary, target);
    await syncDirectory(dir);
  }

  pathOf(sha256: string): string {
    if (!SHA256.test(sha256)) throw new Error(`not a SHA-256: ${sha256}`);
    return join(this.root, sha256.slice(0, 2), sha256);
  }

  async has(sha256: string): Promise<boolean> {
    return exists(this.pathOf(sha256));
  }

  read(sha256: string, range?: { start: number; end: number }): ReadStream {
    return createReadStream(this.pathOf(sha256), range);
  }

  async remove(sha256: string): Promise<void> {
    await rm(this.pathOf(sha256), { force: true });
  }

  /**
   * Removes temporary files left by interrupted uploads, and blobs no evidence row refers to
   * (stored just before a crash, or whose row never committed). Files younger than `graceMs`
   * are kept: another service instance sharing the directory may be writing them right now.
   */
  async sweep(
    isReferenced: (sha256: string) => Promise<boolean>,
    graceMs: number,
  ): Promise<{ temporary: number; orphans: number }> {
    const cutoff = Date.now() - graceMs;
    const old = async (path: string): Promise<boolean> => (await stat(path)).mtimeMs < cutoff;
    let temporary = 0;
    let orphans = 0;
    for (const name of await readdir(this.tmpDir)) {
      const path = join(this.tmpDir, name);
      if (await old(path)) {
        await rm(path, { force: true });
        temporary++;
      }
    }
    for (const prefix of await readdir(this.root)) {
      if (!/^[0-9a-f]{2}$/.test(prefix)) continue;
      for (const name of await readdir(join(this.root, prefix))) {
        const path = join(this.root, prefix, name);
        if (SHA256.test(name) && (await old(path)) && !(await isReferenced(name))) {
          await rm(path, { force: true });
          orphans++;
        }
      }
    }
    return { temporary, orphans };
  }
}

/** Bytes written and fsynced to a temporary file, not yet at their content address. */
export class StagedBlob implements StoredBlob {
  constructor(
    private readonly store: BlobStore,
    private readonly temporary: string,
    readonly sha256: string,
    readonly size: number,
    readonly head: Buffer,
  ) {}

  commit(): Promise<void> {
    return this.store.place(this.temporary, this.sha256);
  }

  async discard(): Promise<void> {
    await rm(this.temporary, { force: true });
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
