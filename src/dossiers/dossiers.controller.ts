import { Body, Controller, Get, HttpCode, Post, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentPrincipal, Roles, type Principal } from '../common/principal.js';
import { IdParam } from '../common/validation.js';
import { contentDisposition } from '../evidence/http-headers.js';
import { DossiersService, type DossierPart } from './dossiers.service.js';
import { DossierDto, DossierRequestedDto, RequestDossierDto } from './dto/dossier.dto.js';

const PARTS: Record<DossierPart, { type: string; file: (id: string) => string }> = {
  pdf: { type: 'application/pdf', file: (id) => `dossier-${id}.pdf` },
  manifest: { type: 'application/json', file: (id) => `dossier-${id}.manifest.json` },
  bundle: { type: 'application/zip', file: (id) => `dossier-${id}.zip` },
};

@ApiTags('dossiers')
@ApiBearerAuth()
@Controller()
export class DossiersController {
  constructor(private readonly dossiers: DossiersService) {}

  @Post('variants/:id/dossiers')
  @Roles('customiser', 'legal')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Generate the dossier of a variant for a market; rendering runs in the background',
  })
  @ApiAcceptedResponse({ type: DossierRequestedDto })
  request(
    @CurrentPrincipal() p: Principal,
    @IdParam() variantId: string,
    @Body() body: RequestDossierDto,
  ): Promise<DossierRequestedDto> {
    return this.dossiers.request(p, variantId, body.market, body.regenerate ?? false);
  }

  @Get('variants/:id/dossiers')
  @ApiOkResponse({ type: [DossierDto] })
  list(@CurrentPrincipal() p: Principal, @IdParam() variantId: string): Promise<DossierDto[]> {
    return this.dossiers.listForVariant(p, variantId);
  }

  @Get('dossiers/:id')
  @ApiOkResponse({ type: DossierDto })
  get(@CurrentPrincipal() p: Principal, @IdParam() id: string): Promise<DossierDto> {
    return this.dossiers.get(p, id);
  }

  @Get('dossiers/:id/pdf')
  @ApiProduces('application/pdf')
  @ApiOkResponse({ description: 'the PDF technical file', schema: { type: 'string', format: 'binary' } })
  pdf(@CurrentPrincipal() p: Principal, @IdParam() id: string, @Res() res: Response): Promise<void> {
    return this.send(p, id, 'pdf', res);
  }

  @Get('dossiers/:id/manifest')
  @ApiOkResponse({ description: 'the manifest JSON', schema: { type: 'object', additionalProperties: true } })
  manifest(@CurrentPrincipal() p: Principal, @IdParam() id: string, @Res() res: Response): Promise<void> {
    return this.send(p, id, 'manifest', res);
  }

  @Get('dossiers/:id/bundle')
  @ApiProduces('application/zip')
  @ApiOkResponse({
    description: 'zip of the PDF, the manifest and every evidence file',
    schema: { type: 'string', format: 'binary' },
  })
  bundle(@CurrentPrincipal() p: Principal, @IdParam() id: string, @Res() res: Response): Promise<void> {
    return this.send(p, id, 'bundle', res);
  }

  private async send(p: Principal, id: string, part: DossierPart, res: Response): Promise<void> {
    const { row, stream } = await this.dossiers.download(p, id, part);
    res.setHeader('Content-Type', PARTS[part].type);
    res.setHeader('Content-Disposition', contentDisposition(PARTS[part].file(id)));
    if (part === 'pdf') {
      res.setHeader('ETag', `"${row.pdfSha256}"`);
      res.setHeader('Content-Length', String(row.bytes));
    }
    if (Buffer.isBuffer(stream)) {
      res.end(stream);
      return;
    }
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  }
}
