import { Param, ParseUUIDPipe } from '@nestjs/common';
import { AppError } from './app-error.js';

/**
 * A path parameter that must be a UUID; anything else answers 400 before any lookup.
 */
export const IdParam = (name = 'id'): ParameterDecorator =>
  Param(
    name,
    new ParseUUIDPipe({
      exceptionFactory: () => AppError.validation([{ field: name, message: `${name} must be a UUID` }]),
    }),
  );
