import { Module } from '@nestjs/common';
import { ProductsModule } from '../products/products.module.js';
import { VariantsModule } from '../variants/variants.module.js';
import { EvidenceController } from './evidence.controller.js';
import { EvidenceRepository } from './evidence.repository.js';
import { EvidenceService } from './evidence.service.js';

@Module({
  imports: [ProductsModule, VariantsModule],
  controllers: [EvidenceController],
  providers: [EvidenceRepository, EvidenceService],
  exports: [EvidenceService],
})
export class EvidenceModule {}
