import { ApiProperty, type SchemaObject } from '@nestjs/swagger';
import type { AttributeValue } from '../attributes.js';

const SCALAR: SchemaObject = {
  oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }],
  nullable: true,
};

/** OpenAPI shape of an attribute map; values are checked against rules/attributes.yaml. */
export const ATTRIBUTE_MAP_SCHEMA = { type: 'object', additionalProperties: SCALAR } as const;

export class AttributeChangeDto {
  @ApiProperty() attribute: string;
  @ApiProperty({ oneOf: SCALAR.oneOf, nullable: true }) base: AttributeValue;
  @ApiProperty({ oneOf: SCALAR.oneOf, nullable: true }) value: AttributeValue;
}
