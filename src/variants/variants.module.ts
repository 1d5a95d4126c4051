import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { ProductsModule } from '../products/products.module.js';
import { AuditorGrantRepository } from './auditor-grant.repository.js';
import { AuditorGrantsController } from './auditor-grants.controller.js';
import { AuditorGrantsService } from './auditor-grants.service.js';
import { VariantRepository } from './variant.repository.js';
import { VariantsController } from './variants.controller.js';
import { VariantsService } from './variants.service.js';

@Module({
  imports: [ProductsModule, AuthModule],
  controllers: [VariantsController, AuditorGrantsController],
  providers: [VariantRepository, VariantsService, AuditorGrantRepository, AuditorGrantsService],
  exports: [VariantsService],
})
export class VariantsModule {}
