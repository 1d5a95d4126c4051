import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional } from 'class-validator';
import { MARKETS, type Market } from '../../content/regimes.js';
import { DOSSIER_STATUSES, type DossierStatus } from '../dossier.entity.js';

export class RequestDossierDto {
  @ApiProperty({ enum: MARKETS })
  @IsIn(MARKETS)
  market: Market;

  @ApiPropertyOptional({
    description:
      'render again even when a dossier of exactly this state exists (it must come out byte-identical)',
  })
  @IsOptional()
  @IsBoolean()
  regenerate?: boolean;
}

export class DossierRequestedDto {
  @ApiProperty({ format: 'uuid', description: 'derived from what the dossier covers' }) id: string;
  @ApiProperty({ enum: DOSSIER_STATUSES }) status: DossierStatus;
}

export class DossierDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) variantId: string;
  @ApiProperty() market: string;
  @ApiProperty({ enum: DOSSIER_STATUSES }) status: DossierStatus;
  @ApiProperty({ type: String, nullable: true, description: 'why rendering failed' }) reason: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'time of the last audit record covered' })
  date: string | null;
  @ApiProperty({ type: String, nullable: true }) pdfSha256: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'SHA-256 of the canonical manifest without pdfSha256',
  })
  manifestSha256: string | null;
  @ApiProperty({ type: Number, nullable: true }) pages: number | null;
  @ApiProperty({ type: Number, nullable: true }) bytes: number | null;
  @ApiProperty() requestedAt: string;
  @ApiProperty({ type: String, nullable: true }) completedAt: string | null;
}
