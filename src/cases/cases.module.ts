import { Module } from '@nestjs/common';
import { EvidenceModule } from '../evidence/evidence.module.js';
import { VariantsModule } from '../variants/variants.module.js';
import { CaseRepository } from './case.repository.js';
import { CasesController } from './cases.controller.js';
import { CasesService } from './cases.service.js';
import { WorkflowsController } from './workflows.controller.js';

@Module({
  imports: [VariantsModule, EvidenceModule],
  controllers: [CasesController, WorkflowsController],
  providers: [CaseRepository, CasesService],
  exports: [CasesService],
})
export class CasesModule {}
