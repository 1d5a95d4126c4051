import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsUUID } from 'class-validator';

export class CreateAuditorGrantDto {
  @ApiProperty({ format: 'uuid', description: 'a user with the auditor role' })
  @IsUUID()
  userId: string;

  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  variantId: string;

  @ApiProperty({
    example: '2027-06-30T00:00:00.000Z',
    description: 'RFC 3339; the grant ends at this instant',
  })
  @IsISO8601({ strict: true, strictSeparator: true })
  expiresAt: string;
}

export class ListAuditorGrantsQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  variantId?: string;
}

export class AuditorGrantDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) userId: string;
  @ApiProperty({ format: 'uuid' }) variantId: string;
  @ApiProperty() expiresAt: string;
  @ApiProperty({ format: 'uuid' }) grantedBy: string;
  @ApiProperty() grantedAt: string;
  @ApiProperty({ description: 'the grant has not expired yet' }) active: boolean;
}
