import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { createApp } from '../../src/app.js';
import { loadConfig, type AppConfig } from '../../src/config/config.js';
import { Database } from '../../src/database/database.js';
import { createPostgresDatabase, type DatabaseKind } from './databases.js';

/** The repository root: the nearest folder above this file with a package.json (also from dist/). */
export const REPO_ROOT = findRoot(import.meta.dirname);

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export interface TestApp {
  kind: DatabaseKind;
  app: NestExpressApplication;
  config: AppConfig;
  /** supertest bound to the running app's HTTP server. */
  http: TestAgent;
  /** Base URL of the listening server, for clients other than supertest. */
  url: string;
  adminToken: string;
  database: Database;
  close: () => Promise<void>;
}

/**
 * Boots the real application on a fresh SQLite file or a fresh PostgreSQL database, with the real
 * migrations and the shipped content, listening on a free port.
 */
export async function startApp(kind: DatabaseKind, env: Record<string, string> = {}): Promise<TestApp> {
  // A caller may pass its own DATA_DIR (to restart on the same data); it then removes it itself.
  const ownDataDir = env.DATA_DIR === undefined;
  const dataDir = env.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'certflow-test-'));
  const postgres = kind === 'postgres' ? await createPostgresDatabase() : undefined;
  const config = loadConfig(
    { DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...(postgres ? { DATABASE_URL: postgres.url } : {}), ...env },
    REPO_ROOT,
  );
  const app = await createApp(config, { logger: false });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const adminToken = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
  return {
    kind,
    app,
    config,
    http: request(app.getHttpServer()),
    url: `http://127.0.0.1:${address.port}`,
    adminToken,
    database: app.get(Database),
    close: async () => {
      await app.close();
      await postgres?.drop();
      if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const API = '/api/v1';

/** Bearer header value for supertest's `.set('Authorization', …)`. */
export const bearer = (token: string): string => `Bearer ${token}`;

export interface Actor {
  token: string;
  userId: string;
  organisationId: string;
}

/** Creates an organisation (or reuses one by name) and a user with the given roles; returns its token. */
export async function createActor(
  t: TestApp,
  roles: string[],
  organisation: string,
  name = `${roles.join('+')} of ${organisation}`,
): Promise<Actor> {
  const admin = bearer(t.adminToken);
  let org = await t.http
    .post(`${API}/organisations`)
    .set('Authorization', admin)
    .send({ name: organisation });
  if (org.status === 409) {
    const all = await t.http.get(`${API}/organisations`).set('Authorization', admin);
    org = { ...org, body: all.body.find((o: { name: string }) => o.name === organisation) } as typeof org;
  } else if (org.status !== 201) {
    throw new Error(`creating organisation failed: ${org.status} ${JSON.stringify(org.body)}`);
  }
  const email = `${name.replace(/[^a-z0-9]+/gi, '.').toLowerCase()}.${Math.random().toString(36).slice(2, 8)}@example.org`;
  const user = await t.http
    .post(`${API}/users`)
    .set('Authorization', admin)
    .send({ name, email, organisationId: org.body.id, roles });
  if (user.status !== 201)
    throw new Error(`creating user failed: ${user.status} ${JSON.stringify(user.body)}`);
  const token = await t.http.post(`${API}/users/${user.body.id}/tokens`).set('Authorization', admin);
  if (token.status !== 201)
    throw new Error(`creating token failed: ${token.status} ${JSON.stringify(token.body)}`);
  return { token: token.body.token, userId: user.body.id, organisationId: org.body.id };
}
