import { ApiProperty, ApiPropertyOptional, type SchemaObject } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { REVIEW_STATUSES, type EvidenceOwner, type ReviewStatus } from '../evidence.entity.js';
import type { Standing } from '../evidence-standing.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The text fields of an evidence upload (multipart), validated like any JSON body. */
export class UploadEvidenceFields {
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  kind: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  issuer: string;

  @Matches(DATE, { message: 'issuedAt must be a date YYYY-MM-DD' })
  issuedAt: string;

  @IsOptional()
  @Matches(DATE, { message: 'validUntil must be a date YYYY-MM-DD' })
  validUntil?: string;

  @IsOptional()
  @IsUUID(undefined, { message: 'supersedes must be the UUID of an earlier evidence item' })
  supersedes?: string;
}

/** OpenAPI description of the multipart upload body. */
export const UPLOAD_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['file', 'kind', 'issuer', 'issuedAt'],
  properties: {
    file: {
      type: 'string',
      format: 'binary',
      description: 'the document; its media type is detected from the bytes',
    },
    kind: {
      type: 'string',
      description: 'an evidence kind of rules/evidence-kinds.yaml',
      example: 'emc-test-report',
    },
    issuer: { type: 'string', example: 'EMV Prüflabor Dresden' },
    issuedAt: { type: 'string', format: 'date', example: '2026-10-01' },
    validUntil: { type: 'string', format: 'date' },
    supersedes: { type: 'string', format: 'uuid', description: 'the earlier version this replaces' },
  },
};

export class ReviewEvidenceDto {
  @ApiProperty({ enum: ['accepted', 'rejected'] })
  @IsIn(['accepted', 'rejected'])
  decision: 'accepted' | 'rejected';

  @ApiProperty({ example: 'Test setup matches EN 61000-6-4; accepted.', maxLength: 2000 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  comment: string;
}

export class ReviewDto {
  @ApiProperty({ format: 'uuid' }) by: string;
  @ApiProperty() at: string;
  @ApiProperty() comment: string;
}

export class InheritedFromDto {
  @ApiProperty({ format: 'uuid' }) productId: string;
  @ApiProperty() productKey: string;
  @ApiProperty() designVersion: string;
}

export class EvidenceDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: ['product', 'variant'] }) owner: EvidenceOwner;
  @ApiProperty({ format: 'uuid' }) productId: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) variantId: string | null;
  @ApiProperty() kind: string;
  @ApiProperty() originalName: string;
  @ApiProperty() size: number;
  @ApiProperty({ description: 'SHA-256 of the bytes, lowercase hex' }) sha256: string;
  @ApiProperty({ description: 'detected from the bytes' }) mediaType: string;
  @ApiProperty() issuer: string;
  @ApiProperty({ format: 'date' }) issuedAt: string;
  @ApiProperty({ type: String, format: 'date', nullable: true }) validUntil: string | null;
  @ApiProperty({
    type: String,
    format: 'date',
    nullable: true,
    description: 'last valid day: the earlier of validUntil and the validity period the rules give the kind',
  })
  lastValidDay: string | null;
  @ApiProperty({ format: 'uuid' }) uploadedBy: string;
  @ApiProperty() uploadedAt: string;
  @ApiProperty({ enum: REVIEW_STATUSES, description: 'review status' }) status: ReviewStatus;
  @ApiProperty({ type: ReviewDto, nullable: true }) review: ReviewDto | null;
  @ApiProperty({
    enum: ['current', 'pending', 'rejected', 'expired', 'superseded'],
    description: 'only current items satisfy requirements',
  })
  standing: Standing;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) supersedes: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) supersededBy: string | null;
  @ApiProperty({
    type: InheritedFromDto,
    nullable: true,
    description: 'set when a variant inherits this product item',
  })
  inheritedFrom: InheritedFromDto | null;
}

export class InvalidatedEvidenceDto {
  @ApiProperty({ type: EvidenceDto }) evidence: EvidenceDto;
  @ApiProperty({ type: [String], description: 'the changed attributes that invalidate it' })
  attributes: string[];
}

export class VariantEvidenceDto {
  @ApiProperty({ type: [EvidenceDto], description: "the variant's own evidence, every version" })
  own: EvidenceDto[];
  @ApiProperty({ type: [EvidenceDto], description: 'current product evidence the variant inherits' })
  inherited: EvidenceDto[];
  @ApiProperty({
    type: [InvalidatedEvidenceDto],
    description: "product evidence the variant's changes invalidate",
  })
  invalidated: InvalidatedEvidenceDto[];
}

export class ListProductEvidenceQuery {
  @ApiPropertyOptional({ description: 'only this kind' })
  @IsOptional()
  @IsString()
  kind?: string;
}
