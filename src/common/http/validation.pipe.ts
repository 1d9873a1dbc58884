import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { DomainError, type FieldProblem } from '../errors/domain-error';

/**
 * Flattens nested class-validator errors to `{ field: 'a.b[0].c', code, messages }`: `code` is
 * `validation.<constraint>` for the field's first failed rule (e.g. `validation.isEmail`,
 * `validation.whitelistValidation`), which pages and clients can choose words by.
 */
export function flattenValidationErrors(errors: ValidationError[], prefix = ''): FieldProblem[] {
  return errors.flatMap((e) => {
    const field = prefix ? (/^\d+$/.test(e.property) ? `${prefix}[${e.property}]` : `${prefix}.${e.property}`) : e.property;
    const constraints = Object.keys(e.constraints ?? {});
    const own = constraints.length ? [{ field, code: `validation.${constraints[0]}`, messages: Object.values(e.constraints!) }] : [];
    return [...own, ...flattenValidationErrors(e.children ?? [], field)];
  });
}

/**
 * The API's validation: the DTO's field rules (src/common/input/fields.ts),
 * unknown fields refused, values transformed (normalised) for the service.
 * A DTO body must be a JSON object: CSV bytes get 415 input.json_required, an
 * array, a string, a number or null gets 400 input.json_expected, before
 * class-transformer sees it.
 */
class InputValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && this.toValidate(metadata)) {
      if (Buffer.isBuffer(value)) throw new DomainError('input.json_required');
      if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new DomainError('input.json_expected', {}, 'body');
    }
    return super.transform(value, metadata);
  }
}

/** Refused fields answer 400 `input.invalid` naming them, each detail with its code and class-validator's messages. */
export function createValidationPipe(): ValidationPipe {
  return new InputValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const details = flattenValidationErrors(errors);
      return new DomainError('input.invalid', { fields: details.map((d) => d.field).join(', ') }, undefined, details);
    },
  });
}
