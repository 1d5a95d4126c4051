import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject, IsOptional, IsString, IsUrl, Length, Matches, MaxLength } from 'class-validator';
import { ATTRIBUTE_MAP_SCHEMA } from '../../content/dto/attributes.dto.js';
import type { AttributeValues } from '../../content/attributes.js';

export const KEY_PATTERN = /^[a-z0-9][a-z0-9._-]{0,99}$/;

export class CreateProductDto {
  @ApiProperty({ example: 'open-cnc-mill', description: 'unique key: lower-case letters, digits, . _ -' })
  @Matches(KEY_PATTERN, {
    message: 'key must be 1-100 lower-case letters, digits, dots, underscores or hyphens',
  })
  key: string;

  @ApiProperty({ example: 'Open CNC mill', maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiProperty({ example: '2.1.0', maxLength: 100 })
  @IsString()
  @Length(1, 100)
  designVersion: string;

  @ApiPropertyOptional({ example: 'https://example.org/open-cnc-mill' })
  @IsOptional()
  @IsUrl({ require_protocol: true, protocols: ['http', 'https'] })
  @MaxLength(2000)
  sourceUrl?: string;

  @ApiProperty({
    ...ATTRIBUTE_MAP_SCHEMA,
    example: { kind: 'machinery', supplyVoltageAC: 230, motorPowerW: 800 },
  })
  @IsObject()
  attributes: AttributeValues;
}

export class ProductDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() key: string;
  @ApiProperty() name: string;
  @ApiProperty() designVersion: string;
  @ApiProperty({ type: String, nullable: true }) sourceUrl: string | null;
  @ApiProperty({
    ...ATTRIBUTE_MAP_SCHEMA,
    description: 'effective attributes: the vocabulary defaults overlaid by the product',
  })
  attributes: AttributeValues;
  @ApiProperty({ ...ATTRIBUTE_MAP_SCHEMA, description: 'the attributes the product sets explicitly' })
  declaredAttributes: AttributeValues;
  @ApiProperty() createdAt: string;
}
