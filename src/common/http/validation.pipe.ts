import { ArgumentMetadata, BadRequestException, UnsupportedMediaTypeException, ValidationError, ValidationPipe } from '@nestjs/common';
import { DomainError } from '../errors/domain-error';

export interface FieldError {
  field: string;
  messages: string[];
}

/** Flattens nested class-validator errors to `{ field: 'a.b[0].c', messages }`. */
export function flattenValidationErrors(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((e) => {
    const field = prefix ? (/^\d+$/.test(e.property) ? `${prefix}[${e.property}]` : `${prefix}.${e.property}`) : e.property;
    const own = e.constraints ? [{ field, messages: Object.values(e.constraints) }] : [];
    return [...own, ...flattenValidationErrors(e.children ?? [], field)];
  });
}

/**
 * The API's validation: the DTO's field rules (src/common/input/fields.ts),
 * unknown fields refused, values transformed (normalised) for the service.
 * A DTO body must be a JSON object: CSV bytes get 415, an array, a string, a
 * number or null gets 400 input.json_expected, before class-transformer sees it.
 */
class InputValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && this.toValidate(metadata)) {
      if (Buffer.isBuffer(value)) throw new UnsupportedMediaTypeException('This request takes JSON');
      if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new DomainError('input.json_expected', {}, 'body');
    }
    return super.transform(value, metadata);
  }
}

export function createValidationPipe(): ValidationPipe {
  return new InputValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const details = flattenValidationErrors(errors);
      return new BadRequestException({
        message: `Invalid input: ${details.map((d) => d.field).join(', ')}`,
        details,
      });
    },
  });
}
