import { ApiProperty, ApiPropertyOptional, type SchemaObject } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { EVIDENCE_STEPS } from '../../cases/guard-facts.js';
import { GUARD_SUMMARIES } from '../../cases/guards.js';
import type { AttributeValue } from '../attributes.js';
import type { CelValue } from '../conditions.js';
import type { Content } from '../content.js';
import { CONFIDENCE_LEVELS, PARAMETER_TYPES } from '../parameters.js';
import {
  MARKETS,
  ROUTE_IDS,
  type EvidenceRequirement,
  type Market,
  type Regime,
  type RuleCondition,
} from '../regimes.js';

/*
 * The content as clients see it (GET /content, GET /regimes): every definition with its
 * conditions as written (CEL), citations and words, so a reviewer can read the rules the
 * answers come from.
 */

const SCALAR: SchemaObject[] = [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }];

export class RegimesQuery {
  @ApiPropertyOptional({ enum: MARKETS, description: 'only the regimes of this market' })
  @IsOptional()
  @IsIn(MARKETS, { message: `market must be one of ${MARKETS.join(', ')}` })
  market?: Market;
}

export class AttributeDefinitionDto {
  @ApiProperty({ example: 'supplyVoltageAC' }) name: string;
  @ApiProperty({ enum: ['enum', 'string', 'number', 'boolean', 'date'] }) type: string;
  @ApiPropertyOptional({ type: [String] }) values?: string[];
  @ApiProperty() nullable: boolean;
  @ApiPropertyOptional({ example: 'V rms' }) unit?: string;
  @ApiPropertyOptional() min?: number;
  @ApiPropertyOptional() max?: number;
  @ApiProperty({ oneOf: SCALAR, nullable: true }) default: AttributeValue;
  @ApiProperty() meaning: string;
  @ApiPropertyOptional() source?: string;
}

export class EvidenceKindDto {
  @ApiProperty({ example: 'emc-test-report' }) id: string;
  @ApiProperty() title: string;
  @ApiProperty() meaning: string;
  @ApiProperty() source: string;
  @ApiPropertyOptional({ description: 'days an item stays valid after issuedAt, where the law sets it' })
  validityDays?: number;
}

export class ParameterDto {
  @ApiProperty({ example: 'mrApplicationDate' }) name: string;
  @ApiProperty({ enum: PARAMETER_TYPES }) type: string;
  @ApiProperty({
    oneOf: [
      { type: 'string' },
      { type: 'number' },
      { type: 'boolean' },
      { type: 'array', items: { type: 'string' } },
    ],
    example: '2027-01-20',
  })
  value: CelValue;
  @ApiProperty() meaning: string;
  @ApiProperty({
    enum: CONFIDENCE_LEVELS,
    description: 'H: read in the act; M: secondary sources; L: uncertain',
  })
  confidence: string;
  @ApiProperty() source: string;
  @ApiPropertyOptional({ description: 'what to verify before relying on the value' }) verify?: string;
}

export class ConditionDto {
  @ApiProperty({ example: 'voltage-range' }) id: string;
  @ApiProperty({
    description: 'CEL expression over the attributes and params',
    example: 'supplyVoltageAC >= 50',
  })
  when: string;
  @ApiProperty({ example: 'Directive 2014/35/EU Art. 1' }) citation: string;
  @ApiProperty({ description: 'words shown when the condition holds' }) holds: string;
  @ApiProperty({ description: 'words shown when it fails (empty for notes)' }) fails: string;
  @ApiPropertyOptional({ enum: CONFIDENCE_LEVELS }) confidence?: string;
  @ApiProperty({ description: 'failing leaves the answer undetermined instead of "does not apply"' })
  undetermined: boolean;
}

export class GroundDto {
  @ApiProperty() id: string;
  @ApiProperty({ type: [ConditionDto], description: 'all must hold' }) conditions: ConditionDto[];
}

export class EvidenceRequirementDto {
  @ApiProperty({ example: 'emc-test-report' }) kind: string;
  @ApiProperty({ enum: EVIDENCE_STEPS }) step: string;
  @ApiPropertyOptional({ description: 'required only when this CEL condition holds' }) when?: string;
  @ApiPropertyOptional() citation?: string;
}

export class RouteDto {
  @ApiProperty({ enum: ROUTE_IDS }) id: string;
  @ApiProperty() title: string;
  @ApiProperty() citation: string;
  @ApiProperty() basis: string;
  @ApiProperty({ description: 'needs a notified/approved body (EU/GB), TCB or NRTL (US)' })
  notifiedBody: boolean;
  @ApiProperty({ example: 'eu-module-a' }) workflow: string;
  @ApiProperty({
    type: [GroundDto],
    description: 'the route is allowed when any ground holds; none = always when the regime applies',
  })
  allowedWhen: GroundDto[];
  @ApiProperty({ type: [EvidenceRequirementDto], description: "added to the regime's evidence" })
  evidence: EvidenceRequirementDto[];
}

export class ValidityDto {
  @ApiProperty({ example: 'type-examination-certificate' }) kind: string;
  @ApiProperty({ example: 5 }) years: number;
  @ApiPropertyOptional({ description: 'the parameter the period comes from' }) parameter?: string;
  @ApiProperty() meaning: string;
  @ApiProperty() citation: string;
  @ApiPropertyOptional({ enum: CONFIDENCE_LEVELS }) confidence?: string;
}

export class RegimeDto {
  @ApiProperty({ example: 'eu-lvd' }) id: string;
  @ApiProperty({ enum: MARKETS }) market: string;
  @ApiProperty() title: string;
  @ApiProperty() legalReference: string;
  @ApiProperty({ type: [ConditionDto], description: 'all must hold, checked in order' })
  applies: ConditionDto[];
  @ApiProperty({ type: [RouteDto] }) routes: RouteDto[];
  @ApiProperty({ type: [EvidenceRequirementDto] }) evidence: EvidenceRequirementDto[];
  @ApiProperty({ type: [ValidityDto] }) validity: ValidityDto[];
  @ApiProperty({ type: [ConditionDto], description: 'remarks shown when they hold' }) notes: ConditionDto[];
  @ApiProperty({ example: 'rules/regimes/eu.yaml' }) file: string;
}

export class WorkflowSummaryDto {
  @ApiProperty({ example: 'eu-module-a' }) id: string;
  @ApiProperty() version: number;
  @ApiProperty() title: string;
  @ApiProperty({ description: 'SHA-256 of the workflow file' }) hash: string;
  @ApiProperty({ enum: EVIDENCE_STEPS, isArray: true, description: 'the evidence steps its guards check' })
  evidenceSteps: string[];
}

export class ImpactRuleDto {
  @ApiProperty({ example: 'supply-voltage' }) id: string;
  @ApiProperty({
    oneOf: [
      { type: 'array', items: { type: 'string' } },
      { type: 'string', enum: ['any'] },
    ],
    description: "the attributes whose change triggers the rule, or 'any'",
  })
  attributes: string[] | 'any';
  @ApiPropertyOptional({ description: 'CEL condition over base, value and params' }) when?: string;
  @ApiProperty({ type: [String] }) invalidates: string[];
  @ApiProperty() citation: string;
  @ApiProperty() reason: string;
}

export class ContentDto {
  @ApiProperty({ description: 'SHA-256 over every content file (path and bytes)' }) version: string;
  @ApiProperty({ type: [String], example: ['rules/attributes.yaml'] }) files: string[];
  @ApiProperty({ type: [RegimeDto] }) regimes: RegimeDto[];
  @ApiProperty({ type: [WorkflowSummaryDto], description: 'full definitions: GET /workflows/{id}' })
  workflows: WorkflowSummaryDto[];
  @ApiProperty({ type: [EvidenceKindDto] }) evidenceKinds: EvidenceKindDto[];
  @ApiProperty({ type: [AttributeDefinitionDto] }) attributes: AttributeDefinitionDto[];
  @ApiProperty({
    type: [ParameterDto],
    description: 'the uncertain and time-sensitive facts the rules rest on',
  })
  parameters: ParameterDto[];
  @ApiProperty({ type: [ImpactRuleDto] }) impactRules: ImpactRuleDto[];
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'the guards workflows may name, each with what it checks',
  })
  guards: Record<string, string>;
}

function conditionDto(c: RuleCondition): ConditionDto {
  return {
    id: c.id,
    when: c.expression,
    citation: c.citation,
    holds: c.holds,
    fails: c.fails,
    ...(c.confidence ? { confidence: c.confidence } : {}),
    undetermined: c.undetermined,
  };
}

function evidenceDto(e: EvidenceRequirement): EvidenceRequirementDto {
  return {
    kind: e.kind,
    step: e.step,
    ...(e.when ? { when: e.when.expression } : {}),
    ...(e.citation ? { citation: e.citation } : {}),
  };
}

export function regimeDto(regime: Regime): RegimeDto {
  return {
    id: regime.id,
    market: regime.market,
    title: regime.title,
    legalReference: regime.legalReference,
    applies: regime.applies.map(conditionDto),
    routes: regime.routes.map((route) => ({
      id: route.id,
      title: route.title,
      citation: route.citation,
      basis: route.basis,
      notifiedBody: route.notifiedBody,
      workflow: route.workflow,
      allowedWhen: route.grounds.map((g) => ({ id: g.id, conditions: g.conditions.map(conditionDto) })),
      evidence: route.evidence.map(evidenceDto),
    })),
    evidence: regime.evidence.map(evidenceDto),
    validity: regime.validity.map((v) => ({ ...v })),
    notes: regime.notes.map(conditionDto),
    file: regime.location.file,
  };
}

export function contentDto(content: Content): ContentDto {
  return {
    version: content.version,
    files: content.files,
    regimes: [...content.regimes.values()].map(regimeDto),
    workflows: [...content.workflows.values()].map((w) => ({
      id: w.id,
      version: w.version,
      title: w.title,
      hash: w.hash,
      evidenceSteps: w.evidenceSteps,
    })),
    evidenceKinds: [...content.evidenceKinds.values()].map((k) => ({ ...k })),
    attributes: [...content.attributes.values()].map((a) => ({ ...a })),
    parameters: [...content.parameters.values()].map((p) => ({ ...p })),
    impactRules: content.impactRules.map((r) => ({
      id: r.id,
      attributes: r.attributes === 'any' ? 'any' : [...r.attributes],
      ...(r.when ? { when: r.when.expression } : {}),
      invalidates: [...r.invalidates],
      citation: r.citation,
      reason: r.reason,
    })),
    guards: { ...GUARD_SUMMARIES },
  };
}
