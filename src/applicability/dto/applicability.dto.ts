import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayNotEmpty, IsArray, IsIn, IsOptional } from 'class-validator';
import type { EvidenceStep } from '../../cases/guard-facts.js';
import { CONFIDENCE_LEVELS } from '../../content/parameters.js';
import { MARKETS, ROUTE_IDS, type Market } from '../../content/regimes.js';

/** `EU,GB` (or the parameter repeated) to a list without repeats; anything else is left to validation. */
function marketList({ value }: { value: unknown }): unknown {
  if (value === undefined) return undefined;
  const parts = [value].flat().flatMap((v) => (typeof v === 'string' ? v.split(',') : [v]));
  return [...new Set(parts.map((v) => (typeof v === 'string' ? v.trim() : v)))];
}

export class ApplicabilityQuery {
  @ApiPropertyOptional({
    type: String,
    example: 'EU,GB,US',
    description: `comma-separated markets (${MARKETS.join(', ')}); default all`,
  })
  @IsOptional()
  @Transform(marketList)
  @IsArray()
  @ArrayNotEmpty({ message: 'markets must name at least one market' })
  @IsIn(MARKETS, {
    each: true,
    message: ({ value }) => {
      const unknown = (Array.isArray(value) ? value : [value]).filter(
        (v) => !(MARKETS as readonly unknown[]).includes(v),
      );
      return `unknown market ${unknown.map((v) => `'${String(v)}'`).join(', ')}; markets are ${MARKETS.join(', ')}`;
    },
  })
  markets?: Market[];
}

export class ReasonDto {
  @ApiProperty({
    example: 'voltage-range',
    description: 'the condition checked (ground.condition for routes)',
  })
  condition: string;
  @ApiProperty() held: boolean;
  @ApiProperty({ description: 'why, in plain words' }) text: string;
  @ApiProperty({ example: 'Directive 2014/35/EU Art. 1' }) citation: string;
  @ApiPropertyOptional({
    enum: CONFIDENCE_LEVELS,
    description: 'M or L: the rule rests on a less certain reading',
  })
  confidence?: string;
}

export class RouteAssessmentDto {
  @ApiProperty({ enum: ROUTE_IDS }) id: string;
  @ApiProperty() title: string;
  @ApiProperty({ description: 'needs a notified/approved body (EU/GB), TCB or NRTL (US)' })
  notifiedBody: boolean;
  @ApiProperty({ example: 'eu-module-a', description: 'the workflow a case on this route runs' })
  workflow: string;
  @ApiProperty({
    type: [ReasonDto],
    description: 'legal basis, then the conditions that allow (or refuse) it',
  })
  reasons: ReasonDto[];
}

export class AllowedRouteDto extends RouteAssessmentDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'array', items: { type: 'string' } },
    example: { testing: ['emc-test-report'], declaration: ['declaration-of-conformity'] },
    description: 'evidence kinds this route requires for the variant, per step',
  })
  evidence: Partial<Record<EvidenceStep, string[]>>;
}

export class RegimeApplicabilityDto {
  @ApiProperty({ example: 'eu-lvd' }) regime: string;
  @ApiProperty({ enum: MARKETS }) market: string;
  @ApiProperty() title: string;
  @ApiProperty() legalReference: string;
  @ApiProperty() applies: boolean;
  @ApiProperty({
    enum: ['applies', 'not-applicable', 'undetermined'],
    description: 'undetermined: a fact is missing, e.g. the placing-on-market date',
  })
  status: string;
  @ApiProperty({ type: [ReasonDto], description: 'the conditions checked, in order; the last decides' })
  reasons: ReasonDto[];
  @ApiProperty({
    type: [AllowedRouteDto],
    description: 'the routes the law allows (empty when it does not apply)',
  })
  routes: AllowedRouteDto[];
  @ApiProperty({
    type: [RouteAssessmentDto],
    description: "the regime's other routes and why they are not allowed",
  })
  routesNotAllowed: RouteAssessmentDto[];
  @ApiProperty({ description: 'the regime applies and every allowed route needs a body' })
  notifiedBodyRequired: boolean;
  @ApiProperty({ type: [ReasonDto], description: 'remarks that decide nothing but a reviewer should see' })
  notes: ReasonDto[];
}
