import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ContentDto, RegimeDto, RegimesQuery } from './dto/content.dto.js';
import { ContentService } from './content.service.js';

@ApiTags('content')
@ApiBearerAuth()
@Controller()
export class ContentController {
  constructor(private readonly content: ContentService) {}

  @Get('content')
  @ApiOperation({
    summary:
      'The loaded content: version, regimes, workflows, evidence kinds, attributes, parameters, impact rules',
  })
  @ApiOkResponse({ type: ContentDto })
  describe(): ContentDto {
    return this.content.describe();
  }

  @Get('regimes')
  @ApiOperation({ summary: 'Regime definitions, optionally of one market (EU, GB, US)' })
  @ApiOkResponse({ type: [RegimeDto] })
  regimes(@Query() query: RegimesQuery): RegimeDto[] {
    return this.content.regimes(query.market);
  }
}
