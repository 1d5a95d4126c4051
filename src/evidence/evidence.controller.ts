import { Body, Controller, Get, Headers, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentPrincipal, Roles, type Principal } from '../common/principal.js';
import { IdParam } from '../common/validation.js';
import {
  EvidenceDto,
  ListProductEvidenceQuery,
  ReviewEvidenceDto,
  UPLOAD_SCHEMA,
  VariantEvidenceDto,
} from './dto/evidence.dto.js';
import { EvidenceService } from './evidence.service.js';
import { contentDisposition, etagMatches } from './http-headers.js';

@ApiTags('evidence')
@ApiBearerAuth()
@Controller()
export class EvidenceController {
  constructor(private readonly evidence: EvidenceService) {}

  @Post('products/:id/evidence')
  @Roles('maintainer')
  @ApiOperation({ summary: 'Upload product-level evidence (streamed; media type detected from the bytes)' })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: UPLOAD_SCHEMA })
  @ApiCreatedResponse({ type: EvidenceDto })
  uploadForProduct(
    @CurrentPrincipal() p: Principal,
    @IdParam() id: string,
    @Req() req: Request,
  ): Promise<EvidenceDto> {
    return this.evidence.uploadForProduct(p, id, req);
  }

  @Post('variants/:id/evidence')
  @Roles('customiser', 'legal')
  @ApiOperation({ summary: 'Upload variant-level evidence (streamed; media type detected from the bytes)' })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: UPLOAD_SCHEMA })
  @ApiCreatedResponse({ type: EvidenceDto })
  uploadForVariant(
    @CurrentPrincipal() p: Principal,
    @IdParam() id: string,
    @Req() req: Request,
  ): Promise<EvidenceDto> {
    return this.evidence.uploadForVariant(p, id, req);
  }

  @Get('products/:id/evidence')
  @ApiOkResponse({ type: [EvidenceDto] })
  listForProduct(
    @CurrentPrincipal() p: Principal,
    @IdParam() id: string,
    @Query() query: ListProductEvidenceQuery,
  ): Promise<EvidenceDto[]> {
    return this.evidence.listForProduct(p, id, query.kind);
  }

  @Get('variants/:id/evidence')
  @ApiOperation({
    summary: "The variant's own evidence, the product evidence it inherits, and what its changes invalidate",
  })
  @ApiOkResponse({ type: VariantEvidenceDto })
  listForVariant(@CurrentPrincipal() p: Principal, @IdParam() id: string): Promise<VariantEvidenceDto> {
    return this.evidence.listForVariant(p, id);
  }

  @Get('evidence/:id')
  @ApiOkResponse({ type: EvidenceDto })
  get(@CurrentPrincipal() p: Principal, @IdParam() id: string): Promise<EvidenceDto> {
    return this.evidence.get(p, id);
  }

  @Get('evidence/:id/content')
  @ApiOperation({ summary: 'The bytes; ETag is the SHA-256, If-None-Match answers 304' })
  @ApiProduces('application/octet-stream')
  @ApiOkResponse({ description: 'the document', schema: { type: 'string', format: 'binary' } })
  async download(
    @CurrentPrincipal() p: Principal,
    @IdParam() id: string,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    const { evidence, open } = await this.evidence.openContent(p, id);
    const etag = `"${evidence.sha256}"`;
    res.setHeader('ETag', etag);
    res.setHeader('Cache-Control', 'private, no-cache');
    if (etagMatches(ifNoneMatch, etag)) {
      res.status(304).end();
      return;
    }
    res.setHeader('Content-Type', evidence.mediaType);
    res.setHeader('Content-Length', String(evidence.size));
    res.setHeader('Content-Disposition', contentDisposition(evidence.originalName));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    const stream = open();
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  }

  @Post('evidence/:id/review')
  @Roles('legal')
  @HttpCode(200)
  @ApiOperation({ summary: 'Accept or reject an evidence item, with a comment' })
  @ApiOkResponse({ type: EvidenceDto })
  review(
    @CurrentPrincipal() p: Principal,
    @IdParam() id: string,
    @Body() body: ReviewEvidenceDto,
  ): Promise<EvidenceDto> {
    return this.evidence.review(p, id, body.decision, body.comment);
  }
}
