import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, type ReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Content-addressed store of evidence bytes under `DATA_DIR/blobs/`. The only code that touches
 * these files.
 *
 * A write streams into a temporary file while hashing (never holding the file in memory), then
 * fsyncs it and renames it to its SHA-256, and fsyncs the directory. Identical bytes are stored
 * once. An interrupted write leaves only a temporary file, which `sweep()` removes at start.
 *
 * A temporary file is named after the process that writes it (`<uuid>.<pid>.<host>.part`), so the
 * start-up sweep removes what a crashed process left at once, while files of another live
 * service instance sharing the directory are only removed once they are older than the grace
 * period.
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
const TEMPORARY = /^[0-9a-f-]{36}\.(\d+)\.([0-9a-f]{12})\.part$/;

/** The process that writes temporary files: its id and (a hash of) its host's name. */
export interface BlobWriter {
  pid: number;
  host: string;
}

const THIS_PROCESS: BlobWriter = { pid: process.pid, host: hostname() };

function hostTag(host: string): string {
  return createHash('sha256').update(host).digest('hex').slice(0, 12);
}

/** False only when no process `pid` exists on this host. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

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
  private readonly host: string;
  /** Temporary files this store is writing or holding staged right now. */
  private readonly staging = new Set<string>();

  constructor(
    private readonly root: string,
    private readonly writer: BlobWriter = THIS_PROCESS,
  ) {
    this.tmpDir = join(root, 'tmp');
    this.host = hostTag(writer.host);
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
    const name = `${randomUUID()}.${this.writer.pid}.${this.host}.part`;
    const temporary = join(this.tmpDir, name);
    const meter = new Meter(limit);
    this.staging.add(name);
    const out = createWriteStream(temporary, { flags: 'wx' });
    try {
      await pipeline(source, meter, out);
      const handle = await open(temporary, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (error) {
      // The file may still be opening when the source fails (an upload cut off at once): wait
      // for the stream to close (it may report an error of its own meanwhile), or the file would
      // appear after it was removed.
      if (!out.closed) {
        out.on('error', () => undefined);
        await new Promise<void>((resolve) => out.once('close', () => resolve()));
      }
      await rm(temporary, { force: true });
      this.staging.delete(name);
      throw error;
    }
    return new StagedBlob(this, temporary, meter.hash.digest('hex'), meter.size, meter.head);
  }

  /** Moves a staged file to its content address (or drops it when the bytes are already stored). */
  async place(temporary: string, sha256: string): Promise<void> {
    const target = this.pathOf(sha256);
    const dir = join(target, '..');
    await mkdir(dir, { recursive: true });
    try {
      if (await exists(target)) {
        // Reused bytes: touch the blob so a start-up sweep elsewhere sees it as fresh and leaves
        // it alone while the row that refers to it is being committed.
        const now = new Date();
        await utimes(target, now, now);
        await rm(temporary, { force: true });
        return;
      }
      await rename(temporary, target);
      await syncDirectory(dir);
    } finally {
      this.staging.delete(basename(temporary));
    }
  }

  /** Removes a staged file that will not be placed. */
  async drop(temporary: string): Promise<void> {
    await rm(temporary, { force: true });
    this.staging.delete(basename(temporary));
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

  /**
   * Removes temporary files left by interrupted uploads, and blobs no evidence row refers to
   * (stored just before a crash, or whose row never committed). A temporary file whose writer
   * is known to be gone (this host, and no such process, or this process but not one of its
   * current uploads, as after a restart) goes at once. Other files younger than `graceMs` are
   * kept: another service instance sharing the directory may be writing them right now.
   */
  async sweep(
    isReferenced: (sha256: string) => Promise<boolean>,
    graceMs: number,
  ): Promise<{ temporary: number; orphans: number }> {
    const cutoff = Date.now() - graceMs;
    // A file may vanish between listing and looking at it (another instance placed or swept it).
    const old = async (path: string): Promise<boolean> => {
      try {
        return (await stat(path)).mtimeMs < cutoff;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw error;
      }
    };
    let temporary = 0;
    let orphans = 0;
    for (const name of await readdir(this.tmpDir)) {
      const path = join(this.tmpDir, name);
      if (this.writerGone(name) || (await old(path))) {
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

  private writerGone(name: string): boolean {
    const match = TEMPORARY.exec(name);
    if (!match || match[2] !== this.host) return false;
    const pid = Number(match[1]);
    return pid === this.writer.pid ? !this.staging.has(name) : !isAlive(pid);
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

  discard(): Promise<void> {
    return this.store.drop(this.temporary);
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
