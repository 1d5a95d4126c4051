import { Module } from '@nestjs/common';
import { ProductsModule } from '../products/products.module.js';
import { VariantRepository } from './variant.repository.js';
import { VariantsController } from './variants.controller.js';
import { VariantsService } from './variants.service.js';

@Module({
  imports: [ProductsModule],
  controllers: [VariantsController],
  providers: [VariantRepository, VariantsService],
  exports: [VariantsService],
})
export class VariantsModule {}
