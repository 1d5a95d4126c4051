import { Param, ParseUUIDPipe, type PipeTransform } from '@nestjs/common';
import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validate, type ValidationError } from 'class-validator';
import { AppError, type FieldError } from './app-error.js';

/** Ids are stored in lower case; a UUID written in upper case names the same thing. */
const lowerCase: PipeTransform<string, string> = { transform: (value) => value.toLowerCase() };

/**
 * A path parameter that must be a UUID; anything else answers 400 before any lookup.
 */
export const IdParam = (name = 'id'): ParameterDecorator =>
  Param(
    name,
    new ParseUUIDPipe({
      exceptionFactory: () => AppError.validation([{ field: name, message: `${name} must be a UUID` }]),
    }),
    lowerCase,
  );

/** Flattens class-validator's nested errors into `{ field, message }` pairs. */
export function fieldErrors(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...fieldErrors(error.children ?? [], field)];
  });
}

/**
 * Validates input that does not pass through Nest's ValidationPipe (multipart fields) with the
 * same rules: unknown fields are errors, and every problem is reported at once.
 */
export async function validateInput<T extends object>(type: ClassConstructor<T>, input: object): Promise<T> {
  const instance = plainToInstance(type, input);
  const errors = await validate(instance, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0) throw AppError.validation(fieldErrors(errors));
  return instance;
}
