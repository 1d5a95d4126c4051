import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import type { Content } from './content.js';
import { loadContent } from './content-loader.js';
import type { ParameterValues } from './conditions.js';
import { contentDto, regimeDto, type ContentDto, type RegimeDto } from './dto/content.dto.js';
import { parameterValues } from './parameters.js';
import type { Market } from './regimes.js';

/**
 * The validated content, loaded once at start. A content error stops the start (the loader's
 * message names each file and the path inside it).
 */
@Injectable()
export class ContentService {
  readonly content: Content;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.content = loadContent(config.contentDir);
    new Logger('Content').log(
      `loaded ${this.content.files.length} content files from ${config.contentDir}, version ${this.content.version.slice(0, 12)}`,
    );
  }

  get attributes(): Content['attributes'] {
    return this.content.attributes;
  }

  private values?: ParameterValues;
  private description?: ContentDto;

  /** The rules' parameter values, as conditions read them under `params`. */
  get parameterValues(): ParameterValues {
    return (this.values ??= parameterValues(this.content.parameters));
  }

  /** GET /content: every definition, built once (content never changes while running). */
  describe(): ContentDto {
    return (this.description ??= contentDto(this.content));
  }

  /** GET /regimes: the regime definitions, of one market or all. */
  regimes(market?: Market): RegimeDto[] {
    return [...this.content.regimes.values()].filter((r) => !market || r.market === market).map(regimeDto);
  }
}
