import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { AppError } from '../common/app-error.js';
import { auditActor, type Principal } from '../common/principal.js';
import { nowIso, today } from '../common/time.js';
import { validateInput } from '../common/validation.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { attributeChanges, isCalendarDate } from '../content/attributes.js';
import { ContentService } from '../content/content.service.js';
import { invalidatedEvidence } from '../content/impact.js';
import { Database } from '../database/database.js';
import type { ProductEntity } from '../products/product.entity.js';
import { ProductsService } from '../products/products.service.js';
import { VariantsService, type VisibleVariant } from '../variants/variants.service.js';
import { BlobStore } from './blob-store.js';
import { UploadEvidenceFields, type EvidenceDto, type VariantEvidenceDto } from './dto/evidence.dto.js';
import type { EvidenceEntity } from './evidence.entity.js';
import { EvidenceRepository } from './evidence.repository.js';
import { evidenceFacts, inherit, lastValidDay, standing, type Inheritance } from './evidence-standing.js';
import { detectMediaType } from './media-type.js';
import { readUpload } from './multipart.js';
import type { EvidenceFact } from '../cases/guard-facts.js';

/**
 * Blobs and temporary files younger than this are left alone by the start-up sweep (except the
 * temporary files of a process on this host that is gone: see `BlobStore.sweep`).
 */
const SWEEP_GRACE_MS = 15 * 60 * 1000;

/** A variant's evidence as requirements see it. */
export interface VariantEvidence extends Inheritance<EvidenceEntity> {
  own: EvidenceEntity[];
  facts: Record<string, EvidenceFact>;
}

/**
 * Evidence documents: streamed uploads into the content-addressed blob store, review by the
 * legal team, versions (supersession), validity, and inheritance of product evidence by variants.
 */
@Injectable()
export class EvidenceService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Evidence');
  readonly blobs: BlobStore;

  constructor(
    private readonly db: Database,
    private readonly repository: EvidenceRepository,
    private readonly products: ProductsService,
    private readonly variants: VariantsService,
    private readonly content: ContentService,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.blobs = new BlobStore(join(config.dataDir, 'blobs'));
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.blobs.init();
    const swept = await this.blobs.sweep(
      (sha256) => this.repository.isBlobReferenced(sha256),
      SWEEP_GRACE_MS,
    );
    if (swept.temporary + swept.orphans > 0) {
      this.logger.log(
        `removed ${swept.temporary} interrupted uploads and ${swept.orphans} unreferenced blobs`,
      );
    }
  }

  async uploadForProduct(
    principal: Principal,
    productId: string,
    req: IncomingMessage,
  ): Promise<EvidenceDto> {
    const product = await this.products.getVisible(principal, productId);
    const evidence = await this.receive(principal, req, {
      owner: 'product',
      productId: product.id,
      variantId: null,
    });
    return this.toDto(evidence, null);
  }

  async uploadForVariant(
    principal: Principal,
    variantId: string,
    req: IncomingMessage,
  ): Promise<EvidenceDto> {
    const { variant } = await this.variants.getChangeable(principal, variantId);
    const evidence = await this.receive(principal, req, {
      owner: 'variant',
      productId: variant.productId,
      variantId: variant.id,
    });
    return this.toDto(evidence, null);
  }

  /**
   * Streams the upload to a temporary file, validates its fields, moves the bytes to their
   * content address and records the item (and any supersession) with its audit records in one
   * transaction. On any failure the temporary file is removed and nothing is recorded.
   */
  private async receive(
    principal: Principal,
    req: IncomingMessage,
    target: Pick<EvidenceEntity, 'owner' | 'productId' | 'variantId'>,
  ): Promise<EvidenceEntity> {
    const upload = await readUpload(req, this.blobs, this.config.uploadMaxBytes);
    try {
      const fields = await validateInput(UploadEvidenceFields, upload.fields);
      this.checkFields(fields);
      if (upload.file.size === 0) {
        throw AppError.validation([{ field: 'file', message: 'the file is empty' }]);
      }
      const evidence: EvidenceEntity = {
        id: randomUUID(),
        ...target,
        kind: fields.kind,
        originalName: cleanFilename(upload.filename),
        size: upload.file.size,
        sha256: upload.file.sha256,
        mediaType: await detectMediaType(upload.file.head),
        issuer: fields.issuer,
        issuedAt: fields.issuedAt,
        validUntil: fields.validUntil ?? null,
        uploadedBy: principal.userId,
        uploadedAt: nowIso(),
        status: 'pending',
        reviewedBy: null,
        reviewedAt: null,
        reviewComment: null,
        supersedes: fields.supersedes ?? null,
        supersededBy: null,
      };
      if (evidence.supersedes) await this.checkSupersedes(evidence, evidence.supersedes, this.db.reader);
      await upload.file.commit();
      await this.db.write(async (tx) => {
        const stream = streamOf(evidence);
        const actor = auditActor(principal);
        if (evidence.supersedes) {
          await this.checkSupersedes(evidence, evidence.supersedes, tx);
          if (!(await this.repository.markSuperseded(tx, evidence.supersedes, evidence.id))) {
            throw new AppError('CONFLICT', `evidence ${evidence.supersedes} was superseded meanwhile`);
          }
        }
        await this.repository.insert(tx, evidence);
        await this.audit.append(tx, stream, actor, 'evidence.uploaded', auditData(evidence));
        if (evidence.supersedes) {
          await this.audit.append(tx, stream, actor, 'evidence.superseded', {
            evidenceId: evidence.supersedes,
            supersededBy: evidence.id,
          });
        }
      });
      return evidence;
    } catch (error) {
      await upload.file.discard();
      throw error;
    }
  }

  private checkFields(fields: UploadEvidenceFields): void {
    const errors = [];
    if (!this.content.content.evidenceKinds.has(fields.kind)) {
      errors.push({ field: 'kind', message: `'${fields.kind}' is not an evidence kind (see GET /content)` });
    }
    if (!isCalendarDate(fields.issuedAt))
      errors.push({ field: 'issuedAt', message: 'is not a calendar date' });
    if (fields.validUntil !== undefined) {
      if (!isCalendarDate(fields.validUntil))
        errors.push({ field: 'validUntil', message: 'is not a calendar date' });
      else if (fields.validUntil < fields.issuedAt) {
        errors.push({ field: 'validUntil', message: 'must not be before issuedAt' });
      }
    }
    if (errors.length > 0) throw AppError.validation(errors);
  }

  /** A new version must replace a current-or-pending item of the same owner and kind. */
  private async checkSupersedes(
    evidence: EvidenceEntity,
    earlierId: string,
    em: EntityManager,
  ): Promise<void> {
    const earlier = await this.repository.find(earlierId, em);
    const sameOwner =
      earlier !== null &&
      earlier.owner === evidence.owner &&
      earlier.productId === evidence.productId &&
      earlier.variantId === evidence.variantId;
    if (!earlier || !sameOwner) {
      throw AppError.validation([
        { field: 'supersedes', message: `evidence ${earlierId} does not belong to the same owner` },
      ]);
    }
    if (earlier.kind !== evidence.kind) {
      throw AppError.validation([
        {
          field: 'supersedes',
          message: `evidence ${earlierId} is a ${earlier.kind}, not a ${evidence.kind}`,
        },
      ]);
    }
    if (earlier.supersededBy) {
      throw new AppError(
        'CONFLICT',
        `evidence ${earlierId} is already superseded by ${earlier.supersededBy}`,
      );
    }
  }

  async review(
    principal: Principal,
    id: string,
    decision: 'accepted' | 'rejected',
    comment: string,
  ): Promise<EvidenceDto> {
    const evidence = await this.getVisible(principal, id);
    if (evidence.supersededBy) {
      throw new AppError(
        'CONFLICT',
        `evidence ${id} is superseded by ${evidence.supersededBy}; review the new version`,
      );
    }
    // pending → accepted | rejected; an accepted item may later be rejected (withdrawn).
    const allowedFrom: EvidenceEntity['status'][] =
      decision === 'accepted' ? ['pending'] : ['pending', 'accepted'];
    if (!allowedFrom.includes(evidence.status)) {
      throw new AppError('CONFLICT', `evidence ${id} is ${evidence.status}; it cannot become ${decision}`);
    }
    const change = {
      status: decision,
      reviewedBy: principal.userId,
      reviewedAt: nowIso(),
      reviewComment: comment,
    };
    await this.db.write(async (tx) => {
      if (!(await this.repository.review(tx, id, evidence.status, change))) {
        throw new AppError('CONFLICT', `evidence ${id} changed meanwhile; reload and review again`);
      }
      await this.audit.append(tx, streamOf(evidence), auditActor(principal), 'evidence.reviewed', {
        evidenceId: id,
        kind: evidence.kind,
        sha256: evidence.sha256,
        from: evidence.status,
        decision,
        comment,
      });
    });
    return this.toDto({ ...evidence, ...change }, null);
  }

  async get(principal: Principal, id: string): Promise<EvidenceDto> {
    return this.toDto(await this.getVisible(principal, id), null);
  }

  /** The item when the caller may see its product or variant; 404 otherwise. */
  async getVisible(principal: Principal, id: string): Promise<EvidenceEntity> {
    const evidence = await this.repository.find(id);
    if (!evidence) throw AppError.notFound('evidence', id);
    try {
      if (evidence.variantId) await this.variants.getVisible(principal, evidence.variantId);
      else await this.products.getVisible(principal, evidence.productId);
    } catch (error) {
      if (error instanceof AppError && error.code === 'NOT_FOUND') throw AppError.notFound('evidence', id);
      throw error;
    }
    return evidence;
  }

  async listForProduct(principal: Principal, productId: string, kind?: string): Promise<EvidenceDto[]> {
    await this.products.getVisible(principal, productId);
    const items = await this.repository.listForProduct(productId);
    return items.filter((e) => !kind || e.kind === kind).map((e) => this.toDto(e, null));
  }

  async listForVariant(principal: Principal, variantId: string): Promise<VariantEvidenceDto> {
    const visible = await this.variants.getVisible(principal, variantId);
    const evidence = await this.forVariant(visible, today());
    const from = inheritedFrom(visible.product);
    return {
      own: evidence.own.map((e) => this.toDto(e, null)),
      inherited: evidence.inherited.map((e) => this.toDto(e, from)),
      invalidated: evidence.invalidated.map((i) => ({
        evidence: this.toDto(i.evidence, null),
        attributes: i.attributes,
      })),
    };
  }

  /**
   * The variant's own evidence, what it inherits from its product and what its changes
   * invalidate, and per evidence kind whether it is satisfied, as of `day` (YYYY-MM-DD).
   */
  async forVariant(
    visible: VisibleVariant,
    day: string,
    em?: EntityManager,
    validity: (kind: string) => number | undefined = this.validityDays,
  ): Promise<VariantEvidence> {
    const { variant, product } = visible;
    const changes = attributeChanges(this.content.attributes, product.attributes, variant.overrides).filter(
      (c) => c.base !== c.value,
    );
    const invalidated = invalidatedEvidence(
      changes,
      this.content.content.impactRules,
      this.content.parameterValues,
    );
    const { own, product: productItems } = await this.repository.listForVariantAndProduct(
      variant.id,
      product.id,
      em,
    );
    const inheritance = inherit(productItems, invalidated, day, validity);
    return { own, ...inheritance, facts: evidenceFacts(own, inheritance.inherited, day, validity) };
  }

  /** The validity period the rules give an evidence kind, in days, if any. */
  readonly validityDays = (kind: string): number | undefined =>
    this.content.content.evidenceKinds.get(kind)?.validityDays;

  /** Opens the bytes of an item the caller may see. */
  async openContent(
    principal: Principal,
    id: string,
  ): Promise<{ evidence: EvidenceEntity; open: () => NodeJS.ReadableStream }> {
    const evidence = await this.getVisible(principal, id);
    if (!(await this.blobs.has(evidence.sha256))) {
      throw new AppError('INTERNAL', `the bytes of evidence ${id} are missing from the blob store`);
    }
    return { evidence, open: () => this.blobs.read(evidence.sha256) };
  }

  toDto(e: EvidenceEntity, from: EvidenceDto['inheritedFrom']): EvidenceDto {
    const validity = this.validityDays(e.kind);
    return {
      id: e.id,
      owner: e.owner,
      productId: e.productId,
      variantId: e.variantId,
      kind: e.kind,
      originalName: e.originalName,
      size: e.size,
      sha256: e.sha256,
      mediaType: e.mediaType,
      issuer: e.issuer,
      issuedAt: e.issuedAt,
      validUntil: e.validUntil,
      lastValidDay: lastValidDay(e, validity),
      uploadedBy: e.uploadedBy,
      uploadedAt: e.uploadedAt,
      status: e.status,
      review:
        e.reviewedBy && e.reviewedAt
          ? { by: e.reviewedBy, at: e.reviewedAt, comment: e.reviewComment ?? '' }
          : null,
      standing: standing(e, today(), validity),
      supersedes: e.supersedes,
      supersededBy: e.supersededBy,
      inheritedFrom: from,
    };
  }
}

function streamOf(evidence: Pick<EvidenceEntity, 'owner' | 'productId' | 'variantId'>): string {
  return evidence.owner === 'variant' ? `variant:${evidence.variantId}` : `product:${evidence.productId}`;
}

function inheritedFrom(product: ProductEntity): NonNullable<EvidenceDto['inheritedFrom']> {
  return { productId: product.id, productKey: product.key, designVersion: product.designVersion };
}

function auditData(e: EvidenceEntity): Record<string, unknown> {
  return {
    evidenceId: e.id,
    kind: e.kind,
    originalName: e.originalName,
    size: e.size,
    sha256: e.sha256,
    mediaType: e.mediaType,
    issuer: e.issuer,
    issuedAt: e.issuedAt,
    validUntil: e.validUntil,
    supersedes: e.supersedes,
  };
}

/** Keeps the base name only, without control characters, at most 255 characters. */
function cleanFilename(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
  const clean = base.replace(/[\x00-\x1f\x7f]/g, '').trim();
  return (clean || 'unnamed').slice(0, 255);
}
