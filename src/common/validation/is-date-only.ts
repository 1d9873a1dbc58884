import { registerDecorator, ValidationOptions } from 'class-validator';
import { fieldRuleMessage } from '../errors/words';

/** A real calendar date written YYYY-MM-DD (2026-02-30 is refused). */
export function isDateOnly(v: unknown): v is string {
  if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v)) return false;
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(v);
}

export function IsDateOnly(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isDateOnly',
      target: object.constructor,
      propertyName,
      options: { message: fieldRuleMessage('isDateOnly'), ...options },
      validator: { validate: isDateOnly },
    });
}
