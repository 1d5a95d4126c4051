import { describe, expect, it } from '@jest/globals';
import { ConfigError, describeDatabase, loadConfig } from './config.js';

describe('configuration', () => {
  it('defaults to SQLite in ./data on port 3000', () => {
    const config = loadConfig({}, '/opt/certflow', '/srv');
    expect(config).toMatchObject({
      port: 3000,
      dataDir: '/srv/data',
      contentDir: '/opt/certflow',
      database: { kind: 'sqlite', file: '/srv/data/certflow.sqlite', busyTimeoutMs: 5000 },
      uploadMaxBytes: 100 * 1024 * 1024,
      trustProxy: false,
    });
  });

  it('runs on PostgreSQL when DATABASE_URL is set, and never logs its password', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://app:secret@db:5432/certflow' }, '/opt');
    expect(config.database).toMatchObject({ kind: 'postgres', poolSize: 10 });
    expect(describeDatabase(config.database)).toBe('PostgreSQL at postgres://app:***@db:5432/certflow');
  });

  it('lists every bad variable at once', () => {
    let error: unknown;
    try {
      loadConfig(
        {
          PORT: 'eighty',
          DATABASE_URL: 'mysql://x',
          LOG_LEVEL: 'loud',
          UPLOAD_MAX_BYTES: '0',
          TRUST_PROXY: 'a b',
        },
        '/opt',
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.variable).sort()).toEqual([
      'DATABASE_URL',
      'LOG_LEVEL',
      'PORT',
      'TRUST_PROXY',
      'UPLOAD_MAX_BYTES',
    ]);
  });

  it('reads which proxies to trust as hops or addresses', () => {
    expect(loadConfig({ TRUST_PROXY: '1' }, '/opt').trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }, '/opt').trustProxy).toBe(
      'loopback, 10.0.0.0/8',
    );
  });
});
