import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles, type Principal } from '../common/principal.js';
import { IdParam } from '../common/validation.js';
import { CreateVariantDto, ListVariantsQuery, VariantDto } from './dto/variant.dto.js';
import { VariantsService } from './variants.service.js';

@ApiTags('variants')
@ApiBearerAuth()
@Controller()
export class VariantsController {
  constructor(private readonly variants: VariantsService) {}

  @Post('products/:id/variants')
  @Roles('customiser')
  @ApiCreatedResponse({ type: VariantDto })
  create(
    @CurrentPrincipal() p: Principal,
    @IdParam() productId: string,
    @Body() body: CreateVariantDto,
  ): Promise<VariantDto> {
    return this.variants.create(p, productId, body);
  }

  @Get('products/:id/variants')
  @ApiOkResponse({ type: [VariantDto] })
  listOfProduct(@CurrentPrincipal() p: Principal, @IdParam() productId: string): Promise<VariantDto[]> {
    return this.variants.list(p, productId);
  }

  @Get('variants')
  @ApiOkResponse({ type: [VariantDto], description: 'the variants the caller may see' })
  list(@CurrentPrincipal() p: Principal, @Query() query: ListVariantsQuery): Promise<VariantDto[]> {
    return this.variants.list(p, query.productId);
  }

  @Get('variants/:id')
  @ApiOkResponse({ type: VariantDto })
  get(@CurrentPrincipal() p: Principal, @IdParam() id: string): Promise<VariantDto> {
    return this.variants.get(p, id);
  }
}
