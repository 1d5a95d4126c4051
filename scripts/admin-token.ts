import 'reflect-metadata';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AuditModule } from '../src/audit/audit.module.js';
import { AuthModule } from '../src/auth/auth.module.js';
import { AuthService } from '../src/auth/auth.service.js';
import { ConfigModule } from '../src/config/config.module.js';
import { loadConfig, type AppConfig } from '../src/config/config.js';
import { DatabaseModule } from '../src/database/database.module.js';

/**
 * `npm run admin-token`: issues a new token for the first admin and writes it to
 * `DATA_DIR/admin-token` (mode 0600), for an operator who lost the admin token. It needs the same
 * environment as the service (DATA_DIR, DATABASE_URL) and access to DATA_DIR, which is what
 * proves it is the operator. The issue is recorded in the admins' organisation audit stream.
 */
@Module({})
class AdminTokenModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AdminTokenModule,
      imports: [ConfigModule.forRoot(config), DatabaseModule, AuditModule, AuthModule],
    };
  }
}

const installDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

async function main(): Promise<void> {
  const config = loadConfig(process.env, installDir);
  const context = await NestFactory.createApplicationContext(AdminTokenModule.forRoot(config), {
    logger: ['error'],
  });
  try {
    const file = await context.get(AuthService).reissueAdminToken();
    process.stdout.write(`a new admin token was written to ${file}\n`);
  } finally {
    await context.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`admin-token: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
