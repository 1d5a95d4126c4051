import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import type { Content } from './content.js';
import { loadContent } from './content-loader.js';

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
}
