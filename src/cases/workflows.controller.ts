import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import type { Response } from 'express';
import { AppError } from '../common/app-error.js';
import { ContentService } from '../content/content.service.js';
import { toMermaid } from '../content/workflow-mermaid.js';

export class WorkflowQuery {
  @ApiPropertyOptional({ enum: ['json', 'mermaid'], default: 'json' })
  @IsOptional()
  @IsIn(['json', 'mermaid'])
  format?: 'json' | 'mermaid';
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
  constructor(private readonly content: ContentService) {}

  @Get(':id')
  @ApiOperation({
    summary: 'A workflow definition as JSON, or as a Mermaid state diagram with ?format=mermaid',
  })
  @ApiOkResponse({ type: WorkflowDto })
  get(
    @Param('id') id: string,
    @Query() query: WorkflowQuery,
    @Res({ passthrough: true }) res: Response,
  ): WorkflowDto | string {
    const definition = this.content.content.workflows.get(id);
    if (!definition) throw AppError.notFound('workflow', id);
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
