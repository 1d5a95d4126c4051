import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles, type Principal } from '../common/principal.js';
import { AuditorGrantsService } from './auditor-grants.service.js';
import { AuditorGrantDto, CreateAuditorGrantDto, ListAuditorGrantsQuery } from './dto/auditor-grant.dto.js';

@ApiTags('auditor grants')
@ApiBearerAuth()
@Controller('auditor-grants')
export class AuditorGrantsController {
  constructor(private readonly grants: AuditorGrantsService) {}

  @Post()
  @Roles('legal')
  @ApiCreatedResponse({ type: AuditorGrantDto })
  create(@CurrentPrincipal() p: Principal, @Body() body: CreateAuditorGrantDto): Promise<AuditorGrantDto> {
    return this.grants.create(p, body);
  }

  @Get()
  @Roles('legal')
  @ApiOkResponse({ type: [AuditorGrantDto] })
  list(@CurrentPrincipal() p: Principal, @Query() query: ListAuditorGrantsQuery): Promise<AuditorGrantDto[]> {
    return this.grants.list(p, query.variantId);
  }
}
