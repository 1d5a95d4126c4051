import { Body, Controller, Get, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles, type Principal } from '../common/principal.js';
import { IdParam } from '../common/validation.js';
import { CreateProductDto, ProductDto } from './dto/product.dto.js';
import { ProductsService } from './products.service.js';

@ApiTags('products')
@ApiBearerAuth()
@Controller('products')
export class ProductsController {
  constructor(private readonly products: ProductsService) {}

  @Post()
  @Roles('maintainer')
  @ApiCreatedResponse({ type: ProductDto })
  create(@CurrentPrincipal() p: Principal, @Body() body: CreateProductDto): Promise<ProductDto> {
    return this.products.create(p, body);
  }

  @Get()
  @ApiOkResponse({ type: [ProductDto] })
  list(@CurrentPrincipal() p: Principal): Promise<ProductDto[]> {
    return this.products.list(p);
  }

  @Get(':id')
  @ApiOkResponse({ type: ProductDto })
  get(@CurrentPrincipal() p: Principal, @IdParam() id: string): Promise<ProductDto> {
    return this.products.get(p, id);
  }
}
