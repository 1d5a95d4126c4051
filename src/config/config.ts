import { isAbsolute, resolve } from 'node:path';

/**
 * The service's configuration, read from the environment once at boot. Code receives this typed
 * object and never reads `process.env` itself.
 */
export interface AppConfig {
  port: number;
  host: string;
  dataDir: string;
  /** Where `rules/` and `workflows/` are read from (the repository root by default). */
  contentDir: string;
  database: SqliteSettings | PostgresSettings;
  /** Largest accepted evidence upload, bytes. */
  uploadMaxBytes: number;
  /** Largest accepted JSON request body, bytes. */
  jsonBodyMaxBytes: number;
  logLevel: LogLevel;
  /** Failed authentications allowed per client address per minute before 429. */
  authFailuresPerMinute: number;
  /**
   * Which proxies in front of the service to trust for the client address (Express `trust proxy`):
   * false (none, the default), a number of hops, or a list of addresses/subnets.
   */
  trustProxy: false | number | string;
}

export interface SqliteSettings {
  kind: 'sqlite';
  file: string;
  busyTimeoutMs: number;
}

export interface PostgresSettings {
  kind: 'postgres';
  url: string;
  poolSize: number;
}

export const LOG_LEVELS = ['error', 'warn', 'log', 'debug', 'verbose'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** One entry of the list a bad environment stops the start with. */
export interface ConfigProblem {
  variable: string;
  problem: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super('invalid configuration:\n' + problems.map((p) => `  - ${p.variable}: ${p.problem}`).join('\n'));
    this.name = 'ConfigError';
  }
}

/** Each variable the service reads, with its default and meaning; the README table mirrors it. */
export const CONFIG_VARIABLES = {
  PORT: { default: '3000', meaning: 'HTTP port' },
  HOST: { default: '0.0.0.0', meaning: 'interface to listen on' },
  DATA_DIR: {
    default: './data',
    meaning: 'SQLite file, evidence blobs, dossiers and the first admin token',
  },
  DATABASE_URL: {
    default: '(unset: SQLite in DATA_DIR)',
    meaning: 'postgres://user@host:port/db to run on PostgreSQL instead',
  },
  DATABASE_POOL_SIZE: { default: '10', meaning: 'PostgreSQL connections per instance' },
  SQLITE_BUSY_TIMEOUT_MS: {
    default: '5000',
    meaning: 'how long SQLite waits for a lock held by another process',
  },
  CONTENT_DIR: {
    default: '(the installation directory)',
    meaning: 'directory holding rules/ and workflows/',
  },
  UPLOAD_MAX_BYTES: { default: '104857600', meaning: 'largest evidence upload (100 MiB)' },
  JSON_BODY_MAX_BYTES: { default: '1048576', meaning: 'largest JSON request body (1 MiB)' },
  LOG_LEVEL: { default: 'log', meaning: `one of ${LOG_LEVELS.join(', ')}` },
  AUTH_FAILURES_PER_MINUTE: {
    default: '20',
    meaning: 'failed authentications per client address per minute before 429',
  },
  TRUST_PROXY: {
    default: '(unset: trust no proxy)',
    meaning:
      'behind a load balancer: the number of proxy hops, or their addresses/subnets (e.g. "loopback, 10.0.0.0/8"), whose X-Forwarded-For gives the client address',
  },
} as const;

type Env = Record<string, string | undefined>;

/**
 * Parses and validates the environment. Collects every problem before failing, so an operator
 * fixes them all in one go.
 */
export function loadConfig(env: Env, installDir: string, cwd = process.cwd()): AppConfig {
  const problems: ConfigProblem[] = [];
  const read = (name: keyof typeof CONFIG_VARIABLES): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };
  const integer = (
    name: keyof typeof CONFIG_VARIABLES,
    fallback: number,
    min: number,
    max: number,
  ): number => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw)) {
      problems.push({ variable: name, problem: `must be a whole number, got '${raw}'` });
      return fallback;
    }
    const value = Number(raw);
    if (value < min || value > max) {
      problems.push({ variable: name, problem: `must be between ${min} and ${max}, got ${value}` });
    }
    return value;
  };
  const directory = (name: keyof typeof CONFIG_VARIABLES, fallback: string): string => {
    const raw = read(name) ?? fallback;
    return isAbsolute(raw) ? raw : resolve(cwd, raw);
  };

  const port = integer('PORT', 3000, 0, 65535);
  const host = read('HOST') ?? '0.0.0.0';
  const dataDir = directory('DATA_DIR', './data');
  const contentDir = read('CONTENT_DIR') ? directory('CONTENT_DIR', '.') : installDir;
  const busyTimeoutMs = integer('SQLITE_BUSY_TIMEOUT_MS', 5000, 0, 600_000);
  const poolSize = integer('DATABASE_POOL_SIZE', 10, 1, 1000);
  const uploadMaxBytes = integer('UPLOAD_MAX_BYTES', 100 * 1024 * 1024, 1, 2 ** 45);
  const jsonBodyMaxBytes = integer('JSON_BODY_MAX_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024);
  const authFailuresPerMinute = integer('AUTH_FAILURES_PER_MINUTE', 20, 1, 1_000_000);

  let trustProxy: AppConfig['trustProxy'] = false;
  const proxies = read('TRUST_PROXY');
  if (proxies !== undefined) {
    if (/^\d+$/.test(proxies)) trustProxy = Number(proxies);
    else if (/^[\w.:/]+(\s*,\s*[\w.:/]+)*$/.test(proxies)) trustProxy = proxies;
    else {
      problems.push({
        variable: 'TRUST_PROXY',
        problem: `must be a number of hops or a comma-separated list of addresses or subnets, got '${proxies}'`,
      });
    }
  }

  const rawLevel = read('LOG_LEVEL') ?? 'log';
  const logLevel = (LOG_LEVELS as readonly string[]).includes(rawLevel) ? (rawLevel as LogLevel) : undefined;
  if (!logLevel) {
    problems.push({
      variable: 'LOG_LEVEL',
      problem: `must be one of ${LOG_LEVELS.join(', ')}, got '${rawLevel}'`,
    });
  }

  let database: AppConfig['database'] = {
    kind: 'sqlite',
    file: resolve(dataDir, 'certflow.sqlite'),
    busyTimeoutMs,
  };
  const url = read('DATABASE_URL');
  if (url !== undefined) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      problems.push({ variable: 'DATABASE_URL', problem: 'is not a URL' });
    }
    if (parsed && !['postgres:', 'postgresql:'].includes(parsed.protocol)) {
      problems.push({
        variable: 'DATABASE_URL',
        problem: `must start with postgres:// or postgresql://, got ${parsed.protocol}//`,
      });
    } else if (parsed) {
      database = { kind: 'postgres', url, poolSize };
    }
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    port,
    host,
    dataDir,
    contentDir,
    database,
    uploadMaxBytes,
    jsonBodyMaxBytes,
    logLevel: logLevel ?? 'log',
    authFailuresPerMinute,
    trustProxy,
  };
}

/** The database URL with any password replaced, for logs. */
export function describeDatabase(settings: AppConfig['database']): string {
  if (settings.kind === 'sqlite') return `SQLite at ${settings.file}`;
  const url = new URL(settings.url);
  if (url.password) url.password = '***';
  return `PostgreSQL at ${url.toString()}`;
}
