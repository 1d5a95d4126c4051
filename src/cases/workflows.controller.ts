import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import type { Response } from 'express';
import { ContentService } from '../content/content.service.js';
import { CasesService } from './cases.service.js';
import { toMermaid } from '../content/workflow-mermaid.js';

export class WorkflowQuery {
  @ApiPropertyOptional({ enum: ['json', 'mermaid'], default: 'json' })
  @IsOptional()
  @IsIn(['json', 'mermaid'])
  format?: 'json' | 'mermaid';

  @ApiPropertyOptional({
    description: 'a version a case pinned (its workflow.hash); default: the version shipped now',
    pattern: '^[0-9a-f]{64}$',
  })
  @IsOptional()
  @Matches(/^[0-9a-f]{64}$/, { message: 'hash must be a SHA-256 in lowercase hex' })
  hash?: string;
}

export class WorkflowDto {
  @ApiProperty() id: string;
  @ApiProperty() version: number;
  @ApiProperty() title: string;
  @ApiProperty({ description: 'SHA-256 of the workflow file' }) hash: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'XState v5 machine config; loads in stock createMachine (guards by name)',
  })
  config: Record<string, unknown>;
}

@ApiTags('content')
@ApiBearerAuth()
@Controller('workflows')
export class WorkflowsController {
  constructor(
    private readonly content: ContentService,
    private readonly cases: CasesService,
  ) {}

  @Get(':id')
  @ApiOperation({
    summary: 'A workflow definition as JSON, or as a Mermaid state diagram with ?format=mermaid',
  })
  @ApiOkResponse({ type: WorkflowDto })
  async get(
    @Param('id') id: string,
    @Query() query: WorkflowQuery,
    @Res({ passthrough: true }) res: Response,
  ): Promise<WorkflowDto | string> {
    const definition = await this.cases.workflowDefinition(id, query.hash);
    if (query.format === 'mermaid') {
      res.type('text/vnd.mermaid; charset=utf-8');
      return toMermaid(definition);
    }
    return {
      id: definition.id,
      version: definition.version,
      title: definition.title,
      hash: definition.hash,
      config: definition.config as Record<string, unknown>,
    };
  }
}
