import { Module } from '@nestjs/common';
import { VariantsModule } from '../variants/variants.module.js';
import { ApplicabilityController } from './applicability.controller.js';
import { ApplicabilityService } from './applicability.service.js';

@Module({
  imports: [VariantsModule],
  controllers: [ApplicabilityController],
  providers: [ApplicabilityService],
  exports: [ApplicabilityService],
})
export class ApplicabilityModule {}
