import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '../common/principal.js';
import { AuditService } from './audit.service.js';
import { AuditPageQuery, AuditStreamDto, ChainVerificationDto } from './dto/audit.dto.js';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get(':stream')
  @ApiOperation({ summary: 'An audit stream: case:<id>, variant:<id>, product:<id> or organisation:<id>' })
  @ApiOkResponse({ type: AuditStreamDto })
  async read(
    @CurrentPrincipal() principal: Principal,
    @Param('stream') stream: string,
    @Query() page: AuditPageQuery,
  ): Promise<AuditStreamDto> {
    return this.audit.read(principal, stream, page.afterSeq, page.limit);
  }

  @Get(':stream/verify')
  @ApiOperation({ summary: 'Re-checks the hash chain of a stream; reports the first bad seq' })
  @ApiOkResponse({ type: ChainVerificationDto })
  verify(
    @CurrentPrincipal() principal: Principal,
    @Param('stream') stream: string,
  ): Promise<ChainVerificationDto> {
    return this.audit.verify(principal, stream);
  }
}
