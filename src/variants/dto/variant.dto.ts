import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject, IsOptional, IsString, IsUUID, Length, Matches } from 'class-validator';
import { ATTRIBUTE_MAP_SCHEMA, AttributeChangeDto } from '../../content/dto/attributes.dto.js';
import type { AttributeChange, AttributeValues } from '../../content/attributes.js';
import { KEY_PATTERN } from '../../products/dto/product.dto.js';

export class CreateVariantDto {
  @ApiProperty({ example: 'mill-1500w', description: 'key, unique within the product' })
  @Matches(KEY_PATTERN, {
    message: 'key must be 1-100 lower-case letters, digits, dots, underscores or hyphens',
  })
  key: string;

  @ApiProperty({ example: 'Open CNC mill with 1.5 kW spindle', maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiProperty({ ...ATTRIBUTE_MAP_SCHEMA, example: { motorPowerW: 1500, placingOnMarket: '2027-03-01' } })
  @IsObject()
  overrides: AttributeValues;
}

export class ListVariantsQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'only variants of this product' })
  @IsOptional()
  @IsUUID()
  productId?: string;
}

export class VariantDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) productId: string;
  @ApiProperty({ format: 'uuid' }) organisationId: string;
  @ApiProperty() key: string;
  @ApiProperty() name: string;
  @ApiProperty({ ...ATTRIBUTE_MAP_SCHEMA, description: 'the attributes the variant changes' })
  overrides: AttributeValues;
  @ApiProperty({
    ...ATTRIBUTE_MAP_SCHEMA,
    description: 'effective attributes: product overlaid by overrides',
  })
  attributes: AttributeValues;
  @ApiProperty({
    type: [AttributeChangeDto],
    description: 'each overridden attribute with base and new value',
  })
  changes: AttributeChange[];
  @ApiProperty() createdAt: string;
}
