import { registerDecorator, ValidationOptions } from 'class-validator';
import { fieldRuleMessage } from '../errors/words';

/** 全国地方公共団体コード: 5 digits, then (11 − Σ dᵢ·(6,5,4,3,2) mod 11) mod 10. */
export function isValidMunicipalityCode(code: string): boolean {
  if (!/^\d{6}$/.test(code)) return false;
  const sum = [6, 5, 4, 3, 2].reduce((s, w, i) => s + w * Number(code[i]), 0);
  return (11 - (sum % 11)) % 10 === Number(code[5]);
}

/** 法人番号: the first digit is 9 − (Σ Pₙ·Qₙ mod 9), Pₙ counted from the right of the other 12, Qₙ = 1 (odd n) or 2 (even n). */
export function isValidCorporateNumber(value: string): boolean {
  if (!/^\d{13}$/.test(value)) return false;
  const base = value.slice(1);
  let sum = 0;
  for (let n = 1; n <= 12; n++) sum += Number(base[12 - n]) * (n % 2 === 1 ? 1 : 2);
  return 9 - (sum % 9) === Number(value[0]);
}

function checkDigitDecorator(check: (v: string) => boolean, name: 'isMunicipalityCode' | 'isCorporateNumber') {
  return (options?: ValidationOptions) => (object: object, propertyName: string) =>
    registerDecorator({
      name,
      target: object.constructor,
      propertyName,
      options: { message: fieldRuleMessage(name), ...options },
      validator: { validate: (v: unknown) => typeof v === 'string' && check(v) },
    });
}

export const IsMunicipalityCode = checkDigitDecorator(isValidMunicipalityCode, 'isMunicipalityCode');
export const IsCorporateNumber = checkDigitDecorator(isValidCorporateNumber, 'isCorporateNumber');
