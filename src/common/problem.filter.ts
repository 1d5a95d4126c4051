import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AppError, ERROR_CODES, problemType, type ErrorCode } from './app-error.js';

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  code: ErrorCode;
  [extension: string]: unknown;
}

/** Maps a Nest/Express HTTP status that did not come from our code to one of our codes. */
function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
      return 'MALFORMED_REQUEST';
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      return 'FORBIDDEN_ROLE';
    case 404:
      return 'ROUTE_NOT_FOUND';
    case 405:
      return 'METHOD_NOT_ALLOWED';
    case 406:
      return 'NOT_ACCEPTABLE';
    case 408:
      return 'REQUEST_TIMEOUT';
    case 409:
      return 'CONFLICT';
    case 412:
      return 'PRECONDITION_FAILED';
    case 413:
      return 'PAYLOAD_TOO_LARGE';
    case 415:
      return 'UNSUPPORTED_MEDIA_TYPE';
    case 422:
      return 'UNPROCESSABLE';
    case 429:
      return 'TOO_MANY_REQUESTS';
    case 431:
      return 'HEADERS_TOO_LARGE';
    case 503:
      return 'UNAVAILABLE';
    default:
      return status >= 500 ? 'INTERNAL' : 'MALFORMED_REQUEST';
  }
}

/** Errors raised by body parsers and other Express middleware carry a status and a type. */
interface MiddlewareError {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
  message?: string;
}

/** Turns anything thrown while serving a request into an RFC 9457 problem document. */
export function toProblem(error: unknown, instance?: string): ProblemDocument {
  if (error instanceof AppError) {
    const { status, title } = ERROR_CODES[error.code];
    return {
      ...error.extensions,
      type: problemType(error.code),
      title,
      status,
      detail: error.detail,
      code: error.code,
      ...(instance ? { instance } : {}),
    };
  }
  let code: ErrorCode = 'INTERNAL';
  let detail = 'An unexpected error occurred; it has been logged.';
  if (error instanceof HttpException) {
    code = codeForStatus(error.getStatus());
    if (code !== 'INTERNAL') detail = httpExceptionDetail(error);
  } else if (isMiddlewareError(error)) {
    const status = error.status ?? error.statusCode ?? 500;
    code = codeForStatus(status);
    if (code !== 'INTERNAL') detail = middlewareDetail(error);
  }
  const { status, title } = ERROR_CODES[code];
  return {
    type: problemType(code),
    title,
    status,
    detail,
    code,
    ...(instance ? { instance } : {}),
  };
}

function isMiddlewareError(error: unknown): error is MiddlewareError {
  return (
    typeof error === 'object' &&
    error !== null &&
    (typeof (error as MiddlewareError).status === 'number' ||
      typeof (error as MiddlewareError).statusCode === 'number')
  );
}

function middlewareDetail(error: MiddlewareError): string {
  switch (error.type) {
    case 'entity.parse.failed':
      return 'The body is not valid JSON.';
    case 'entity.too.large':
      return 'The body is larger than this endpoint accepts.';
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return 'The body uses an unsupported encoding.';
    default:
      return error.expose && error.message ? error.message : 'The request could not be read.';
  }
}

function httpExceptionDetail(error: HttpException): string {
  const response = error.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  if (typeof message === 'string') return message;
  return error.message;
}

/** Writes a problem document; used by the filter and by Express-level error handlers. */
export function sendProblem(
  res: Response,
  problem: ProblemDocument,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
}

/**
 * The one place errors become HTTP answers. Unexpected errors are logged with their stack and
 * answered with a generic 500: no stack trace or SQL text ever reaches a client.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('Problem');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const problem = toProblem(error, req.originalUrl);
    if (problem.status >= 500) {
      this.logger.error(
        `${req.method} ${req.originalUrl} failed`,
        error instanceof Error ? error.stack : String(error),
      );
    }
    sendProblem(res, problem, error instanceof AppError ? error.headers : {});
  }
}
