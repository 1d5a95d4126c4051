import { Body, Controller, Get, Headers, HttpCode, Post, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { AppError } from '../common/app-error.js';
import { CurrentPrincipal, Roles, type Principal } from '../common/principal.js';
import { IdParam } from '../common/validation.js';
import { CasesService } from './cases.service.js';
import { CaseDto, CaseEventDto, ListCasesQuery, OpenCaseDto } from './dto/case.dto.js';

/** `If-Match: 3` or `If-Match: "3"` → 3; `*` (any version) → no check; anything else is a 400. */
function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '' || header.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(header);
  if (!match) {
    throw AppError.validation([{ field: 'If-Match', message: 'must be the case version, e.g. "3"' }]);
  }
  return Number(match[1]);
}

function parseIdempotencyKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (!/^[\x21-\x7e]{1,200}$/.test(header)) {
    throw AppError.validation([
      { field: 'Idempotency-Key', message: 'must be 1-200 visible ASCII characters, e.g. a UUID' },
    ]);
  }
  return header;
}

@ApiTags('cases')
@ApiBearerAuth()
@Controller()
export class CasesController {
  constructor(private readonly cases: CasesService) {}

  @Post('variants/:id/cases')
  @Roles('customiser', 'legal')
  @ApiOperation({ summary: 'Open a case: 422 when the regime does not apply or the route is not allowed' })
  @ApiCreatedResponse({ type: CaseDto })
  async open(
    @CurrentPrincipal() p: Principal,
    @IdParam() variantId: string,
    @Body() body: OpenCaseDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<CaseDto> {
    const opened = await this.cases.open(p, variantId, body.regime, body.route);
    res.setHeader('ETag', `"${opened.version}"`);
    return opened;
  }

  @Get('variants/:id/cases')
  @ApiOkResponse({ type: [CaseDto] })
  listOfVariant(@CurrentPrincipal() p: Principal, @IdParam() variantId: string): Promise<CaseDto[]> {
    return this.cases.list(p, variantId);
  }

  @Get('cases')
  @ApiOkResponse({ type: [CaseDto], description: 'the cases the caller may see' })
  list(@CurrentPrincipal() p: Principal, @Query() query: ListCasesQuery): Promise<CaseDto[]> {
    return this.cases.list(p, query.variantId);
  }

  @Get('cases/:id')
  @ApiOkResponse({
    type: CaseDto,
    headers: { ETag: { description: 'the case version', schema: { type: 'string' } } },
  })
  async get(
    @CurrentPrincipal() p: Principal,
    @IdParam() id: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<CaseDto> {
    const found = await this.cases.get(p, id);
    res.setHeader('ETag', `"${found.version}"`);
    return found;
  }

  @Post('cases/:id/events')
  @Roles('customiser', 'legal')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Send an event: 409 on a stale If-Match, 422 when a guard blocks (naming what is missing), 403 for the wrong role',
  })
  @ApiHeader({ name: 'If-Match', required: false, description: 'the case version the decision was based on' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'a replay answers the first response' })
  @ApiOkResponse({ type: CaseDto })
  async send(
    @CurrentPrincipal() p: Principal,
    @IdParam() id: string,
    @Body() body: CaseEventDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<CaseDto> {
    const result = await this.cases.send(p, id, body, {
      ifMatch: parseIfMatch(ifMatch),
      idempotencyKey: parseIdempotencyKey(idempotencyKey),
    });
    res.setHeader('ETag', `"${result.version}"`);
    return result;
  }
}
