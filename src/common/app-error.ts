/**
 * Domain errors. Services throw `AppError` with a stable code; `ProblemFilter` maps every code to
 * an HTTP status and an RFC 9457 problem document in one place.
 */
export const ERROR_CODES = {
  VALIDATION_FAILED: { status: 400, title: 'The request is not valid' },
  MALFORMED_REQUEST: { status: 400, title: 'The request could not be read' },
  UNAUTHENTICATED: { status: 401, title: 'Authentication required' },
  FORBIDDEN_ROLE: { status: 403, title: 'Your role may not do this' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  ROUTE_NOT_FOUND: { status: 404, title: 'No such endpoint' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed' },
  NOT_ACCEPTABLE: { status: 406, title: 'Not acceptable' },
  CONFLICT: { status: 409, title: 'Conflict with the current state' },
  CASE_VERSION_CONFLICT: { status: 409, title: 'The case has changed since you read it' },
  IDEMPOTENCY_KEY_REUSED: {
    status: 422,
    title: 'The idempotency key was already used for a different request',
  },
  PRECONDITION_FAILED: { status: 412, title: 'Precondition failed' },
  REQUEST_TIMEOUT: { status: 408, title: 'The request was not received in time' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'The request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported media type' },
  UNPROCESSABLE: { status: 422, title: 'The request cannot be carried out' },
  REGIME_NOT_APPLICABLE: { status: 422, title: 'The regime does not apply to this variant' },
  ROUTE_NOT_ALLOWED: { status: 422, title: 'The route is not allowed for this variant' },
  EVENT_BLOCKED: { status: 422, title: 'The event is blocked' },
  TOO_MANY_REQUESTS: { status: 429, title: 'Too many requests' },
  HEADERS_TOO_LARGE: { status: 431, title: 'The request headers are too large' },
  INTERNAL: { status: 500, title: 'Internal error' },
  UNAVAILABLE: { status: 503, title: 'Service unavailable' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** A field-level problem, as listed in a problem document's `errors`. */
export interface FieldError {
  /** JSON pointer-like path of the offending field, e.g. `overrides.motorPowerW`. */
  field: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    /** Extra members of the problem document (`errors`, `blockedBy`, …). */
    readonly extensions: Record<string, unknown> = {},
    /** Response headers that go with the problem (`Retry-After`, `ETag`, …). */
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'AppError';
  }

  static validation(errors: FieldError[], detail?: string): AppError {
    return new AppError(
      'VALIDATION_FAILED',
      detail ?? errors.map((e) => `${e.field}: ${e.message}`).join('; '),
      { errors },
    );
  }

  static notFound(what: string, id: string): AppError {
    return new AppError('NOT_FOUND', `${what} ${id} does not exist`);
  }
}

/** The `type` URI of a problem with this code. */
export function problemType(code: ErrorCode): string {
  return `urn:certflow:problem:${code.toLowerCase().replaceAll('_', '-')}`;
}
