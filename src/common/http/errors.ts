import { BadRequestException } from '@nestjs/common';

/** A 400 about one field, in the same shape the validation pipe gives. */
export function fieldError(field: string, message: string): BadRequestException {
  return new BadRequestException({ message: `Invalid input: ${field}`, details: [{ field, messages: [`${field} ${message}`] }] });
}
