import { Injectable } from '@nestjs/common';
import type { Principal } from '../common/principal.js';
import { ContentService } from '../content/content.service.js';
import type { Market } from '../content/regimes.js';
import { declaredAttributes, VariantsService } from '../variants/variants.service.js';
import { assessApplicability, assumedDefaultsNote, requiredEvidence } from './applicability.js';
import type { RegimeApplicabilityDto } from './dto/applicability.dto.js';

/** Which regimes apply to a variant the caller may see, why, and by which routes. */
@Injectable()
export class ApplicabilityService {
  constructor(
    private readonly content: ContentService,
    private readonly variants: VariantsService,
  ) {}

  async forVariant(
    principal: Principal,
    variantId: string,
    markets?: Market[],
  ): Promise<RegimeApplicabilityDto[]> {
    const visible = await this.variants.getVisible(principal, variantId);
    const { attributes } = visible;
    const params = this.content.parameterValues;
    const regimes = this.content.content.regimes;
    const declared = declaredAttributes(visible);
    return assessApplicability(regimes.values(), attributes, params, markets).map((answer) => {
      const regime = regimes.get(answer.regime)!;
      const assumed = assumedDefaultsNote(regime, declared, this.content.attributes);
      return {
        ...answer,
        notes: assumed ? [...answer.notes, assumed] : answer.notes,
        routes: answer.routes.map((route) => ({
          ...route,
          evidence: requiredEvidence(regime, route.id, attributes, params),
        })),
      };
    });
  }
}
