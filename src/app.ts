import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { Logger, type INestApplication, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import { AppModule } from './app.module.js';
import { AppError } from './common/app-error.js';
import { sendProblem, toProblem } from './common/problem.filter.js';
import { jsonBodyProblem } from './common/request-body.js';
import { consoleStatic } from './console/console-assets.js';
import { LOG_LEVELS, type AppConfig } from './config/config.js';

export const API_PREFIX = 'api/v1';

/** Log levels up to and including the configured one. */
function logLevels(level: AppConfig['logLevel']): LogLevel[] {
  return LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(level) + 1) as LogLevel[];
}

/** The OpenAPI document, generated from the controllers and DTOs. */
export function openApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('certflow')
    .setDescription(
      'Regulatory-compliance workflow engine for product certification: products and variants, ' +
        'applicable legislation, certification cases, evidence, audit log and dossiers. Errors are ' +
        'RFC 9457 problem details (application/problem+json).',
    )
    .setVersion('1')
    .addBearerAuth()
    .build();
  return SwaggerModule.createDocument(app, config);
}

/**
 * Requests Node's HTTP parser rejects before Express sees them (broken framing, a Content-Length
 * that does not parse, oversized headers, a body that never arrives) are answered with a problem
 * document too, as Node itself would answer them otherwise but in plain text.
 */
function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable || (socket as Socket).bytesWritten > 0) {
    socket.destroy();
    return;
  }
  const problem = toProblem(
    error.code === 'HPE_HEADER_OVERFLOW'
      ? new AppError('HEADERS_TOO_LARGE', 'The request headers are larger than this server accepts.')
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? new AppError('REQUEST_TIMEOUT', 'The request was not received completely in time.')
        : new AppError('MALFORMED_REQUEST', 'The HTTP request could not be parsed.'),
  );
  const body = JSON.stringify(problem);
  socket.end(
    `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status]}\r\n` +
      'Content-Type: application/problem+json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n' +
      body,
  );
}

/**
 * Builds the application with everything `main.ts` and the tests share: body limits, security
 * headers, the API prefix, problem+json for errors raised before Nest sees the request, and the
 * OpenAPI document at /api/docs-json with its UI at /api/docs.
 */
export async function createApp(
  config: AppConfig,
  options: { logger?: boolean } = {},
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bodyParser: false,
    logger: options.logger === false ? false : logLevels(config.logLevel),
    abortOnError: false,
  });
  app.disable('x-powered-by');
  // Resources with a meaningful version set their own ETag (evidence: its SHA-256; cases: their
  // version); hashing every other JSON body for a weak ETag only costs CPU.
  app.set('etag', false);
  // The client address (failed-authentication limits) comes from X-Forwarded-For only when the
  // operator says which proxies to trust.
  app.set('trust proxy', config.trustProxy);
  app.enableShutdownHooks();
  app.getHttpServer().on('clientError', answerClientError);
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          // The API docs and the console use only their own scripts and styles.
          'script-src': ["'self'"],
          'style-src': ["'self'", "'unsafe-inline'"],
          'img-src': ["'self'", 'data:'],
          // Served over plain HTTP on a LAN address, upgrading would break the console's own
          // scripts (there is no HTTPS listener); TLS is terminated in front of the service.
          'upgrade-insecure-requests': null,
        },
      },
    }),
  );
  // The web console (static files) at `/`; API paths fall through to Nest.
  app.use(consoleStatic());
  app.use(
    express.json({
      limit: config.jsonBodyMaxBytes,
      strict: true,
      type: ['application/json', 'application/*+json'],
    }),
  );
  // Bodies the parser accepts but the service cannot hold (too deep, NUL, …): see request-body.ts.
  app.use((req: Request, _res: Response, next: NextFunction) => next(jsonBodyProblem(req.body)));
  // Body-parser errors (bad JSON, too large) happen before routing: answer them as problems.
  app.use((error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (!error) return next();
    sendProblem(res, toProblem(error, req.originalUrl));
  });
  app.setGlobalPrefix(API_PREFIX);

  SwaggerModule.setup('api/docs', app, () => openApiDocument(app), {
    jsonDocumentUrl: 'api/docs-json',
    yamlDocumentUrl: 'api/docs-yaml',
  });
  await app.init();
  new Logger('App').log(`API under /${API_PREFIX}, docs at /api/docs`);
  return app;
}
