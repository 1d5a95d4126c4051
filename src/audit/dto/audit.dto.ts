import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export class AuditPageQuery {
  @ApiPropertyOptional({ description: 'Return records after this seq', minimum: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  afterSeq?: number;

  @ApiPropertyOptional({ description: 'At most this many records', minimum: 1, maximum: 10000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10000)
  limit?: number;
}

export class AuditActorDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty() role: string;
  @ApiProperty({ description: 'organisation id' }) org: string;
}

export class AuditRecordDto {
  @ApiProperty() stream: string;
  @ApiProperty() seq: number;
  @ApiProperty({ description: 'RFC 3339 UTC with milliseconds' }) at: string;
  @ApiProperty({ type: AuditActorDto }) actor: AuditActorDto;
  @ApiProperty() action: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) data: unknown;
  @ApiProperty() prevHash: string;
  @ApiProperty({ description: 'SHA-256 of the RFC 8785 canonical JSON of the record without hash' })
  hash: string;
}

export class AuditStreamDto {
  @ApiProperty() stream: string;
  @ApiProperty({ type: [AuditRecordDto] }) events: AuditRecordDto[];
}

export class ChainVerificationDto {
  @ApiProperty() valid: boolean;
  @ApiProperty() length: number;
  @ApiProperty() head: string;
  @ApiProperty({ type: Number, nullable: true }) firstBadSeq: number | null;
}
