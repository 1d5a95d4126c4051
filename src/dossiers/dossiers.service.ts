import { createReadStream } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import yazl from 'yazl';
import { AuditService } from '../audit/audit.service.js';
import { AppError } from '../common/app-error.js';
import { auditActor, type Principal } from '../common/principal.js';
import { nowIso } from '../common/time.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import type { Market } from '../content/regimes.js';
import { Database } from '../database/database.js';
import { EvidenceService } from '../evidence/evidence.service.js';
import { VariantsService } from '../variants/variants.service.js';
import { bundleNames, DossierBuilder, type BuiltDossier } from './dossier-builder.js';
import type { DossierEntity } from './dossier.entity.js';
import { DossierRepository } from './dossier.repository.js';
import type { DossierDto, DossierRequestedDto } from './dto/dossier.dto.js';
import { DossierRenderer } from './pdf/dossier-renderer.js';

export type DossierPart = 'pdf' | 'manifest' | 'bundle';

/** A pending render older than this is taken to have died with its instance. */
const STALE_RENDER_MS = 15 * 60 * 1000;

/** Renders waiting or running at most; further requests answer 503 until the queue drains. */
const MAX_QUEUED_RENDERS = 8;

/**
 * Dossiers: the technical file of one variant for one market. A request reads one consistent
 * snapshot, derives the dossier id from what it covers, and renders the PDF in a worker thread;
 * the request answers 202 at once. Every download is recorded in the variant's audit stream.
 */
@Injectable()
export class DossiersService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Dossiers');
  private readonly renderer = new DossierRenderer();
  private readonly dir: string;
  /** Renders in flight, by dossier id (a second request for the same dossier waits for the first). */
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(
    private readonly db: Database,
    private readonly repository: DossierRepository,
    private readonly builder: DossierBuilder,
    private readonly variants: VariantsService,
    private readonly evidence: EvidenceService,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.dir = join(config.dataDir, 'dossiers');
  }

  async onApplicationBootstrap(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    // A render cut off by a restart cannot be resumed from the same snapshot: say so, and remove
    // the half-written file it left. On PostgreSQL other instances may be rendering right now, so
    // only renders older than any real one are given up (a request for one re-renders it too).
    const cutoff = this.db.kind === 'sqlite' ? Date.now() : Date.now() - STALE_RENDER_MS;
    for (const name of await readdir(this.dir)) {
      const path = join(this.dir, name);
      if (!name.endsWith('.partial')) continue;
      const modified = (await stat(path).catch(() => undefined))?.mtimeMs;
      if (modified !== undefined && modified < cutoff) await rm(path, { force: true });
    }
    for (const row of await this.repository.listPending()) {
      if (Date.parse(row.requestedAt) >= cutoff) continue;
      await this.db.write((tx) =>
        this.repository.complete(tx, row.id, {
          ...emptyResult(),
          status: 'failed',
          reason: 'The service restarted while this dossier was being rendered; request it again.',
          completedAt: nowIso(),
        }),
      );
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.renderer.close();
  }

  async request(
    principal: Principal,
    variantId: string,
    market: Market,
    regenerate = false,
  ): Promise<DossierRequestedDto> {
    const visible = await this.variants.getChangeable(principal, variantId);
    const built = await this.db.snapshot((em) => this.builder.build(principal, visible, market, em));
    if (this.inFlight.has(built.id)) return { id: built.id, status: 'pending' };
    const existing = await this.repository.find(built.id);
    const renderingElsewhere =
      existing?.status === 'pending' && Date.now() - Date.parse(existing.requestedAt) < STALE_RENDER_MS;
    if (existing && (renderingElsewhere || (existing.status === 'ready' && !regenerate))) {
      return { id: existing.id, status: existing.status };
    }
    if (this.renderer.pending >= MAX_QUEUED_RENDERS) {
      throw new AppError(
        'UNAVAILABLE',
        'Too many dossiers are being rendered right now; ask again in a minute.',
        {},
        { 'Retry-After': '60' },
      );
    }
    const now = nowIso();
    const started = await this.db.write(async (tx) => {
      // One request at a time per variant (also across instances): a twin request that got here
      // first has already started this render.
      await this.audit.lock(tx, `variant:${variantId}`);
      const current = await this.repository.find(built.id, tx);
      if (current?.status === 'pending' && Date.now() - Date.parse(current.requestedAt) < STALE_RENDER_MS)
        return false;
      if (current?.status === 'ready' && !regenerate) return false;
      await this.repository.upsertPending(tx, {
        id: built.id,
        variantId,
        market,
        status: 'pending',
        ...emptyResult(),
        reason: null,
        requestedBy: principal.userId,
        requestedAt: now,
        completedAt: null,
      });
      await this.audit.append(tx, `variant:${variantId}`, auditActor(principal), 'dossier.requested', {
        dossierId: built.id,
        market,
        regenerate,
      });
      return true;
    });
    if (!started)
      return { id: built.id, status: (await this.repository.find(built.id))?.status ?? 'pending' };
    const job = this.render(built).finally(() => this.inFlight.delete(built.id));
    this.inFlight.set(built.id, job);
    return { id: built.id, status: 'pending' };
  }

  private async render(built: BuiltDossier): Promise<void> {
    const path = this.pdfPath(built.id);
    try {
      const result = await this.renderer.render(built.model, path);
      const manifest = { ...built.manifest, pdfSha256: result.sha256 };
      await this.db.write((tx) =>
        this.repository.complete(tx, built.id, {
          status: 'ready',
          reason: null,
          date: built.model.date,
          pdfSha256: result.sha256,
          manifestSha256: built.model.manifestSha256,
          pages: result.pages,
          bytes: result.bytes,
          manifest: `${JSON.stringify(manifest, null, 2)}\n`,
          completedAt: nowIso(),
        }),
      );
    } catch (error) {
      this.logger.error(`dossier ${built.id} failed`, error instanceof Error ? error.stack : String(error));
      await rm(path, { force: true });
      await this.db
        .write((tx) =>
          this.repository.complete(tx, built.id, {
            ...emptyResult(),
            status: 'failed',
            reason: 'Rendering the PDF failed; the error has been logged. Request the dossier again.',
            completedAt: nowIso(),
          }),
        )
        .catch((e: unknown) =>
          this.logger.error(`recording the failure of dossier ${built.id} failed`, String(e)),
        );
    }
  }

  /** Waits for the renders in flight (tests and shutdown). */
  async idle(): Promise<void> {
    await Promise.all([...this.inFlight.values()]);
  }

  async get(principal: Principal, id: string): Promise<DossierDto> {
    return toDto(await this.getVisible(principal, id));
  }

  async listForVariant(principal: Principal, variantId: string): Promise<DossierDto[]> {
    await this.variants.getVisible(principal, variantId);
    return (await this.repository.listForVariant(variantId)).map(toDto);
  }

  private async getVisible(principal: Principal, id: string): Promise<DossierEntity> {
    const row = await this.repository.find(id);
    if (!row) throw AppError.notFound('dossier', id);
    try {
      await this.variants.getVisible(principal, row.variantId);
    } catch (error) {
      if (error instanceof AppError && error.code === 'NOT_FOUND') throw AppError.notFound('dossier', id);
      throw error;
    }
    return row;
  }

  /**
   * Opens one part of a ready dossier for download and records the download in the variant's
   * audit stream (committed before the first byte is sent).
   */
  async download(
    principal: Principal,
    id: string,
    part: DossierPart,
  ): Promise<{ row: DossierEntity; stream: Readable | Buffer }> {
    const row = await this.getVisible(principal, id);
    if (row.status !== 'ready' || !row.manifest || !row.pdfSha256) {
      throw new AppError('CONFLICT', `dossier ${id} is ${row.status}${row.reason ? `: ${row.reason}` : ''}`);
    }
    await this.db.write((tx) =>
      this.audit.append(tx, `variant:${row.variantId}`, auditActor(principal), 'dossier.downloaded', {
        dossierId: id,
        market: row.market,
        part,
        pdfSha256: row.pdfSha256,
        manifestSha256: row.manifestSha256,
      }),
    );
    switch (part) {
      case 'pdf':
        return { row, stream: createReadStream(this.pdfPath(id)) };
      case 'manifest':
        return { row, stream: Buffer.from(row.manifest, 'utf8') };
      case 'bundle':
        return { row, stream: await this.bundle(row) };
    }
  }

  /**
   * A zip of the PDF, the manifest, every evidence file and the covered audit records
   * (`audit/<stream>.json`, as GET /audit/{stream} answers), so the whole dossier can be checked
   * offline. Streamed, with the dossier's date as every entry's time.
   */
  private async bundle(row: DossierEntity): Promise<Readable> {
    const manifest = JSON.parse(row.manifest ?? '{}') as {
      evidence?: { sha256: string; kind: string; originalName: string }[];
      auditStreams?: { stream: string; length: number }[];
    };
    const zip = new yazl.ZipFile();
    const mtime = new Date(row.date ?? 0);
    zip.addFile(this.pdfPath(row.id), 'dossier.pdf', { mtime, compress: false });
    zip.addBuffer(Buffer.from(row.manifest ?? '', 'utf8'), 'manifest.json', { mtime });
    for (const { stream, length } of manifest.auditStreams ?? []) {
      const events = await this.audit.records(stream, length);
      const name = `audit/${stream.replace(':', '-')}.json`;
      zip.addBuffer(Buffer.from(`${JSON.stringify({ stream, events }, null, 2)}\n`, 'utf8'), name, { mtime });
    }
    for (const { sha256: hash, name } of bundleNames(manifest.evidence ?? [])) {
      zip.addReadStream(this.evidence.blobs.read(hash), name, { mtime });
    }
    zip.end();
    return zip.outputStream as Readable;
  }

  private pdfPath(id: string): string {
    return join(this.dir, `${id}.pdf`);
  }
}

function emptyResult(): Pick<
  DossierEntity,
  'reason' | 'date' | 'pdfSha256' | 'manifestSha256' | 'pages' | 'bytes' | 'manifest'
> {
  return {
    reason: null,
    date: null,
    pdfSha256: null,
    manifestSha256: null,
    pages: null,
    bytes: null,
    manifest: null,
  };
}

function toDto(row: DossierEntity): DossierDto {
  return {
    id: row.id,
    variantId: row.variantId,
    market: row.market,
    status: row.status,
    reason: row.reason,
    date: row.date,
    pdfSha256: row.pdfSha256,
    manifestSha256: row.manifestSha256,
    pages: row.pages,
    bytes: row.bytes,
    requestedAt: row.requestedAt,
    completedAt: row.completedAt,
  };
}
