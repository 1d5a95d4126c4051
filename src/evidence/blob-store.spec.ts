import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { BlobStore, type BlobWriter } from './blob-store.js';

const GRACE_MS = 15 * 60 * 1000;
const nothingReferenced = (): Promise<boolean> => Promise.resolve(false);

/** The id of a process that has just exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(child.stdout);
}

describe('BlobStore start-up sweep', () => {
  let root: string;
  const temporaryFiles = (): string[] => readdirSync(join(root, 'tmp'));

  /** Leaves a temporary file as `writer` would after being killed between staging and placing. */
  async function leftBehindBy(writer: BlobWriter, text: string): Promise<void> {
    const store = new BlobStore(root, writer);
    await store.init();
    await store.stage(Readable.from([Buffer.from(text)]), 1024);
  }

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'certflow-blobs-'));
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('removes at once what a killed process on this host left, however young', async () => {
    await leftBehindBy({ pid: deadPid(), host: hostname() }, 'interrupted upload');
    expect(temporaryFiles()).toHaveLength(1);

    const restarted = new BlobStore(root);
    await restarted.init();
    expect(await restarted.sweep(nothingReferenced, GRACE_MS)).toEqual({ temporary: 1, orphans: 0 });
    expect(temporaryFiles()).toEqual([]);
  });

  it('removes files of an earlier process that had the same id (a container restarted as PID 1)', async () => {
    await leftBehindBy({ pid: process.pid, host: hostname() }, 'before the restart');
    const restarted = new BlobStore(root);
    await restarted.init();
    expect((await restarted.sweep(nothingReferenced, GRACE_MS)).temporary).toBe(1);
  });

  it('keeps young files of live writers: its own uploads, other instances here and elsewhere', async () => {
    const store = new BlobStore(root);
    await store.init();
    const own = await store.stage(Readable.from([Buffer.from('uploading right now')]), 1024);
    await leftBehindBy({ pid: process.ppid, host: hostname() }, 'another instance on this host');
    await leftBehindBy({ pid: deadPid(), host: 'another-host' }, 'an instance on another host');

    expect(await store.sweep(nothingReferenced, GRACE_MS)).toEqual({ temporary: 0, orphans: 0 });
    expect(temporaryFiles()).toHaveLength(3);

    await own.commit();
    expect(await store.has(own.sha256)).toBe(true);
  });

  it('removes any temporary file older than the grace period', async () => {
    await leftBehindBy({ pid: process.ppid, host: 'another-host' }, 'long gone');
    const [name] = temporaryFiles();
    const past = new Date(Date.now() - 2 * GRACE_MS);
    utimesSync(join(root, 'tmp', name), past, past);

    const store = new BlobStore(root);
    await store.init();
    expect((await store.sweep(nothingReferenced, GRACE_MS)).temporary).toBe(1);
    expect(temporaryFiles()).toEqual([]);
  });
});
