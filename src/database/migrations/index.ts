import { Initial1764000000000 } from './1764000000000-initial.js';
import { Evidence1764100000000 } from './1764100000000-evidence.js';
import { Cases1764200000000 } from './1764200000000-cases.js';
import { AuditorGrantsDossiers1764300000000 } from './1764300000000-auditor-grants-dossiers.js';
import { TokenRevocation1764400000000 } from './1764400000000-token-revocation.js';

/**
 * Every migration, oldest first. To change the schema: change the entity, add a class here
 * (`<unix-ms>-<what>.ts`, using only the portable column shapes in `columns.ts`), and run
 * `npm test`: the migration suite applies all migrations to a fresh SQLite file and a fresh
 * PostgreSQL database and fails if the result differs from the entities.
 */
export const MIGRATIONS = [
  Initial1764000000000,
  Evidence1764100000000,
  Cases1764200000000,
  AuditorGrantsDossiers1764300000000,
  TokenRevocation1764400000000,
];
