import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { CasesModule } from '../cases/cases.module.js';
import { EvidenceModule } from '../evidence/evidence.module.js';
import { VariantsModule } from '../variants/variants.module.js';
import { DossierBuilder } from './dossier-builder.js';
import { DossierRepository } from './dossier.repository.js';
import { DossiersController } from './dossiers.controller.js';
import { DossiersService } from './dossiers.service.js';

@Module({
  imports: [AuthModule, VariantsModule, EvidenceModule, CasesModule],
  controllers: [DossiersController],
  providers: [DossierRepository, DossierBuilder, DossiersService],
})
export class DossiersModule {}
