import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '../common/principal.js';
import { IdParam } from '../common/validation.js';
import { ApplicabilityService } from './applicability.service.js';
import { ApplicabilityQuery, RegimeApplicabilityDto } from './dto/applicability.dto.js';

@ApiTags('applicability')
@ApiBearerAuth()
@Controller('variants')
export class ApplicabilityController {
  constructor(private readonly applicability: ApplicabilityService) {}

  @Get(':id/applicability')
  @ApiOperation({
    summary: 'Which regimes apply to the variant in the asked markets, why, and which routes the law allows',
  })
  @ApiOkResponse({ type: [RegimeApplicabilityDto], description: 'one entry per regime of the asked markets' })
  forVariant(
    @CurrentPrincipal() p: Principal,
    @IdParam() id: string,
    @Query() query: ApplicabilityQuery,
  ): Promise<RegimeApplicabilityDto[]> {
    return this.applicability.forVariant(p, id, query.markets);
  }
}
