import { AuditRecordEntity, AuditStreamEntity } from '../audit/audit.entity.js';
import { OrganisationEntity, TokenEntity, UserEntity } from '../auth/auth.entity.js';
import {
  CaseEntity,
  CaseSignatureEntity,
  IdempotencyKeyEntity,
  PinnedWorkflowEntity,
} from '../cases/case.entity.js';
import { DossierEntity } from '../dossiers/dossier.entity.js';
import { EvidenceEntity } from '../evidence/evidence.entity.js';
import { AuditorGrantEntity } from '../variants/auditor-grant.entity.js';
import { ProductEntity } from '../products/product.entity.js';
import { VariantEntity } from '../variants/variant.entity.js';

/** Every table the service maps; the migrations must produce exactly these. */
export const ENTITIES = [
  OrganisationEntity,
  UserEntity,
  TokenEntity,
  ProductEntity,
  VariantEntity,
  AuditStreamEntity,
  AuditRecordEntity,
  EvidenceEntity,
  PinnedWorkflowEntity,
  CaseEntity,
  CaseSignatureEntity,
  IdempotencyKeyEntity,
  AuditorGrantEntity,
  DossierEntity,
];
