import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import { AppError } from '../common/app-error.js';
import { auditActor, hasRole, type Principal } from '../common/principal.js';
import { nowIso } from '../common/time.js';
import {
  attributeChanges,
  checkAttributeValues,
  effectiveAttributes,
  type AttributeValues,
} from '../content/attributes.js';
import { ContentService } from '../content/content.service.js';
import { Database, isUniqueViolation } from '../database/database.js';
import type { ProductEntity } from '../products/product.entity.js';
import { ProductsService } from '../products/products.service.js';
import type { CreateVariantDto, VariantDto } from './dto/variant.dto.js';
import type { VariantEntity } from './variant.entity.js';
import { AuditorGrantRepository } from './auditor-grant.repository.js';
import { VariantRepository } from './variant.repository.js';

/** Which variants a caller may see: all, or those of an organisation and/or granted ones. */
type Scope = 'all' | { organisationId?: string; variantIds: string[] };

/** A variant with its base product, as the other features need it. */
export interface VisibleVariant {
  variant: VariantEntity;
  product: ProductEntity;
  /** Effective attributes: vocabulary defaults, product attributes, then overrides. */
  attributes: AttributeValues;
}

/** The attributes the product or the variant declares (the others take the vocabulary's default). */
export function declaredAttributes(visible: VisibleVariant): ReadonlySet<string> {
  return new Set([...Object.keys(visible.product.attributes), ...Object.keys(visible.variant.overrides)]);
}

/**
 * Customised variants. Tenancy: customisers create and see only their organisation's variants;
 * legal and admin see all; anything else answers 404, exactly as if it did not exist.
 */
@Injectable()
export class VariantsService {
  constructor(
    private readonly db: Database,
    private readonly repository: VariantRepository,
    private readonly products: ProductsService,
    private readonly content: ContentService,
    private readonly audit: AuditService,
    private readonly grants: AuditorGrantRepository,
  ) {
    this.audit.registerStream('variant', async (principal, id) => {
      await this.getVisible(principal, id);
    });
    // Auditors see the base products of the variants granted to them.
    this.products.registerAuditorAccess(async (principal) => {
      const ids = await this.grants.activeVariantIds(principal.userId, nowIso());
      const variants = ids.length > 0 ? await this.repository.list({ ids }) : [];
      return variants.map((v) => v.productId);
    });
  }

  async create(principal: Principal, productId: string, input: CreateVariantDto): Promise<VariantDto> {
    const product = await this.products.getVisible(principal, productId);
    const errors = checkAttributeValues(this.content.attributes, input.overrides, 'overrides');
    if (errors.length > 0) throw AppError.validation(errors);
    const variant: VariantEntity = {
      id: randomUUID(),
      productId,
      organisationId: principal.organisationId,
      key: input.key,
      name: input.name,
      overrides: input.overrides,
      createdBy: principal.userId,
      createdAt: nowIso(),
    };
    const conflict = () =>
      new AppError('CONFLICT', `product ${productId} already has a variant with key '${input.key}'`);
    try {
      await this.db.write(async (tx) => {
        if (await this.repository.findByKey(productId, input.key, tx)) throw conflict();
        await this.repository.insert(tx, variant);
        await this.audit.append(tx, `variant:${variant.id}`, auditActor(principal), 'variant.created', {
          productId,
          key: variant.key,
          name: variant.name,
          overrides: variant.overrides,
        });
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict();
      throw error;
    }
    return this.toDto(variant, product);
  }

  async get(principal: Principal, id: string): Promise<VariantDto> {
    const { variant, product } = await this.getVisible(principal, id);
    return this.toDto(variant, product);
  }

  async list(principal: Principal, productId?: string): Promise<VariantDto[]> {
    if (productId) await this.products.getVisible(principal, productId);
    const visible = await this.listVisible(principal);
    return visible
      .filter((v) => !productId || v.variant.productId === productId)
      .map((v) => this.toDto(v.variant, v.product));
  }

  /** Every variant the caller may see, with product and effective attributes. */
  async listVisible(principal: Principal): Promise<VisibleVariant[]> {
    const scope = await this.scope(principal);
    const variants =
      scope === 'all'
        ? await this.repository.list({})
        : uniqueById([
            ...(scope.organisationId
              ? await this.repository.list({ organisationId: scope.organisationId })
              : []),
            ...(scope.variantIds.length > 0 ? await this.repository.list({ ids: scope.variantIds }) : []),
          ]);
    const products = new Map<string, ProductEntity>();
    const result: VisibleVariant[] = [];
    for (const variant of variants) {
      let product = products.get(variant.productId);
      if (!product) {
        product = await this.products.getVisible(principal, variant.productId);
        products.set(product.id, product);
      }
      result.push({
        variant,
        product,
        attributes: effectiveAttributes(this.content.attributes, product.attributes, variant.overrides),
      });
    }
    return result;
  }

  /** The variant, its product and effective attributes, when the caller may see it; 404 otherwise. */
  async getVisible(principal: Principal, id: string): Promise<VisibleVariant> {
    const variant = await this.repository.find(id);
    if (!variant || !(await this.maySee(principal, variant))) throw AppError.notFound('variant', id);
    const product = await this.products.getVisible(principal, variant.productId);
    return {
      variant,
      product,
      attributes: effectiveAttributes(this.content.attributes, product.attributes, variant.overrides),
    };
  }

  /**
   * The variant when the caller may change things about it (upload its evidence, open and
   * advance its cases, generate its dossiers): legal and admins, and customisers of the
   * organisation that owns it. Seeing it through an auditor grant gives read access only (403);
   * not seeing it at all answers 404.
   */
  async getChangeable(principal: Principal, id: string): Promise<VisibleVariant> {
    const visible = await this.getVisible(principal, id);
    const owns =
      hasRole(principal, 'customiser') && visible.variant.organisationId === principal.organisationId;
    if (!owns && !hasRole(principal, 'admin', 'legal')) {
      throw new AppError('FORBIDDEN_ROLE', 'Your access to this variant is read-only.', {
        requiredRoles: ['legal', 'customiser of the owning organisation'],
      });
    }
    return visible;
  }

  private async maySee(principal: Principal, variant: VariantEntity): Promise<boolean> {
    const scope = await this.scope(principal);
    return (
      scope === 'all' ||
      variant.organisationId === scope.organisationId ||
      scope.variantIds.includes(variant.id)
    );
  }

  /**
   * Tenancy: legal and admin see every variant; customisers their organisation's; auditors the
   * variants granted to them until each grant expires; maintainers none.
   */
  private async scope(principal: Principal): Promise<Scope> {
    if (hasRole(principal, 'admin', 'legal')) return 'all';
    return {
      organisationId: hasRole(principal, 'customiser') ? principal.organisationId : undefined,
      variantIds: hasRole(principal, 'auditor')
        ? await this.grants.activeVariantIds(principal.userId, nowIso())
        : [],
    };
  }

  toDto(variant: VariantEntity, product: ProductEntity): VariantDto {
    const vocabulary = this.content.attributes;
    return {
      id: variant.id,
      productId: variant.productId,
      organisationId: variant.organisationId,
      key: variant.key,
      name: variant.name,
      overrides: variant.overrides,
      attributes: effectiveAttributes(vocabulary, product.attributes, variant.overrides),
      changes: attributeChanges(vocabulary, product.attributes, variant.overrides),
      createdAt: variant.createdAt,
    };
  }
}

function uniqueById(variants: VariantEntity[]): VariantEntity[] {
  return [...new Map(variants.map((v) => [v.id, v])).values()];
}
