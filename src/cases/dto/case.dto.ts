import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';

export class OpenCaseDto {
  @ApiProperty({ example: 'eu-mr', description: 'a regime id (GET /regimes)' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(50)
  regime: string;

  @ApiProperty({
    example: 'A',
    description: 'a route the law allows for this variant (GET /variants/{id}/applicability)',
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(30)
  route: string;
}

export class SignatureInputDto {
  @ApiProperty({ example: 'declaration of conformity', description: 'what the signer declares by signing' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  meaning: string;
}

export class CaseEventDto {
  @ApiProperty({
    example: 'COMPLETE_SCOPING',
    description: 'an event the current state accepts (allowedEvents)',
  })
  @Matches(/^[A-Z][A-Z0-9_]{0,99}$/, { message: 'type must be an event name like COMPLETE_SCOPING' })
  type: string;

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  comment?: string;

  @ApiPropertyOptional({ type: SignatureInputDto, description: 'required by events that need a signature' })
  @IsOptional()
  @ValidateNested()
  @Type(() => SignatureInputDto)
  signature?: SignatureInputDto;
}

export class ListCasesQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  variantId?: string;
}

export class WorkflowRefDto {
  @ApiProperty() id: string;
  @ApiProperty() version: number;
  @ApiProperty({ description: 'SHA-256 of the workflow file the case pinned' }) hash: string;
  @ApiProperty() title: string;
}

export class AllowedEventDto {
  @ApiProperty() type: string;
  @ApiProperty() target: string;
  @ApiPropertyOptional() description?: string;
  @ApiProperty({ description: 'the caller can send it now' }) allowed: boolean;
  @ApiProperty({ type: [String], description: 'why not, in plain words' }) blockedBy: string[];
  @ApiProperty({ type: [String] }) roles: string[];
  @ApiPropertyOptional({ description: 'the event must carry a signature with this meaning' })
  signature?: string;
}

export class SatisfyingEvidenceDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() originalName: string;
  @ApiProperty() sha256: string;
  @ApiProperty({ enum: ['own', 'inherited'] }) source: 'own' | 'inherited';
}

export class RequirementDto {
  @ApiProperty() kind: string;
  @ApiProperty() title: string;
  @ApiProperty() step: string;
  @ApiProperty() satisfied: boolean;
  @ApiProperty({ type: [SatisfyingEvidenceDto] }) satisfiedBy: SatisfyingEvidenceDto[];
  @ApiProperty({
    type: String,
    nullable: true,
    enum: ['missing', 'pending-review', 'rejected', 'expired', 'superseded', null],
    description: 'why nothing satisfies it',
  })
  gap: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'what is missing, in plain words' })
  missing: string | null;
}

export class SignerDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty() role: string;
}

export class CoveredEvidenceDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() kind: string;
  @ApiProperty() sha256: string;
}

export class SignatureDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() meaning: string;
  @ApiProperty() event: string;
  @ApiProperty({ type: SignerDto }) signer: SignerDto;
  @ApiProperty() at: string;
  @ApiProperty({ description: 'SHA-256 of the case snapshot and the covered evidence set' }) sha256: string;
  @ApiProperty({ type: [CoveredEvidenceDto] }) covered: CoveredEvidenceDto[];
  @ApiProperty({ description: 'false when covered evidence was later superseded, rejected or expired' })
  current: boolean;
  @ApiProperty({ type: String, nullable: true }) staleBecause: string | null;
}

export class CaseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) variantId: string;
  @ApiProperty() regime: string;
  @ApiProperty() market: string;
  @ApiProperty() route: string;
  @ApiProperty({ type: WorkflowRefDto }) workflow: WorkflowRefDto;
  @ApiProperty() state: string;
  @ApiProperty() stateDescription: string;
  @ApiProperty({ description: 'in-progress, placed-on-market, suspended, discontinued or closed' })
  status: string;
  @ApiProperty({ description: 'send it back in If-Match' }) version: number;
  @ApiProperty() contentVersion: string;
  @ApiProperty({ format: 'uuid' }) openedBy: string;
  @ApiProperty() openedAt: string;
  @ApiProperty() updatedAt: string;
  @ApiProperty({ type: [AllowedEventDto] }) allowedEvents: AllowedEventDto[];
  @ApiProperty({ type: [RequirementDto] }) requirements: RequirementDto[];
  @ApiProperty({ type: [SignatureDto] }) signatures: SignatureDto[];
}
