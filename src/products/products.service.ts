import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import { AppError } from '../common/app-error.js';
import { auditActor, hasRole, type Principal } from '../common/principal.js';
import { nowIso } from '../common/time.js';
import { checkAttributeValues, effectiveAttributes } from '../content/attributes.js';
import { ContentService } from '../content/content.service.js';
import { Database, isUniqueViolation } from '../database/database.js';
import type { CreateProductDto, ProductDto } from './dto/product.dto.js';
import type { ProductEntity } from './product.entity.js';
import { ProductRepository } from './product.repository.js';

/**
 * Base products: the designs of the commons. Every authenticated role except auditors sees all
 * of them; auditors see only what a grant covers.
 */
@Injectable()
export class ProductsService {
  constructor(
    private readonly db: Database,
    private readonly repository: ProductRepository,
    private readonly content: ContentService,
    private readonly audit: AuditService,
  ) {
    this.audit.registerStream('product', async (principal, id) => {
      await this.getVisible(principal, id);
    });
  }

  async create(principal: Principal, input: CreateProductDto): Promise<ProductDto> {
    const errors = checkAttributeValues(this.content.attributes, input.attributes, 'attributes');
    if (errors.length > 0) throw AppError.validation(errors);
    const product: ProductEntity = {
      id: randomUUID(),
      key: input.key,
      name: input.name,
      designVersion: input.designVersion,
      sourceUrl: input.sourceUrl ?? null,
      attributes: input.attributes,
      createdBy: principal.userId,
      createdAt: nowIso(),
    };
    const conflict = () => new AppError('CONFLICT', `a product with key '${input.key}' already exists`);
    try {
      await this.db.write(async (tx) => {
        if (await this.repository.findByKey(input.key, tx)) throw conflict();
        await this.repository.insert(tx, product);
        await this.audit.append(tx, `product:${product.id}`, auditActor(principal), 'product.created', {
          key: product.key,
          name: product.name,
          designVersion: product.designVersion,
          sourceUrl: product.sourceUrl,
          attributes: product.attributes,
        });
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict();
      throw error;
    }
    return this.toDto(product);
  }

  /**
   * Declares which products an auditor may see (those of the variants granted to them). The
   * variants feature owns grants and registers this, so products need not depend on variants.
   */
  registerAuditorAccess(productIds: (principal: Principal) => Promise<string[]>): void {
    this.auditorProductIds = productIds;
  }

  private auditorProductIds: (principal: Principal) => Promise<string[]> = async () => [];

  async list(principal: Principal): Promise<ProductDto[]> {
    if (this.seesAllProducts(principal)) return (await this.repository.list()).map((p) => this.toDto(p));
    const ids = await this.grantedProductIds(principal);
    return ids.length > 0 ? (await this.repository.list(ids)).map((p) => this.toDto(p)) : [];
  }

  async get(principal: Principal, id: string): Promise<ProductDto> {
    return this.toDto(await this.getVisible(principal, id));
  }

  /** The product when the caller may see it; 404 otherwise. */
  async getVisible(principal: Principal, id: string): Promise<ProductEntity> {
    const product = await this.repository.find(id);
    const visible =
      product !== null &&
      (this.seesAllProducts(principal) || (await this.grantedProductIds(principal)).includes(id));
    if (!product || !visible) throw AppError.notFound('product', id);
    return product;
  }

  private async grantedProductIds(principal: Principal): Promise<string[]> {
    return hasRole(principal, 'auditor') ? this.auditorProductIds(principal) : [];
  }

  private seesAllProducts(principal: Principal): boolean {
    return hasRole(principal, 'admin', 'maintainer', 'customiser', 'legal');
  }

  toDto(product: ProductEntity): ProductDto {
    return {
      id: product.id,
      key: product.key,
      name: product.name,
      designVersion: product.designVersion,
      sourceUrl: product.sourceUrl,
      attributes: effectiveAttributes(this.content.attributes, product.attributes),
      declaredAttributes: product.attributes,
      createdAt: product.createdAt,
    };
  }
}
