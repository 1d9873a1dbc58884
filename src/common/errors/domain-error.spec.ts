import { toErrorBody } from '../filters/all-exceptions.filter';
import { DICTIONARY } from '../../web/i18n';
import { DomainError } from './domain-error';
import { ERROR_STATUS } from './error-codes';

describe('DomainError', () => {
  it('answers with the status of its code, English words and the field it concerns', () => {
    const body = toErrorBody(new DomainError('serial.check_character', {}, 'serial'), 'req-1');
    expect(body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      code: 'serial.check_character',
      message: DICTIONARY.en['errors.serial.check_character'],
      details: [{ field: 'serial', code: 'serial.check_character', messages: [DICTIONARY.en['errors.serial.check_character']] }],
      requestId: 'req-1',
    });
  });

  it('has words in both languages for every code', () => {
    for (const code of Object.keys(ERROR_STATUS)) {
      expect(DICTIONARY.ja[`errors.${code}`]).toEqual(expect.any(String));
      expect(DICTIONARY.en[`errors.${code}`]).toEqual(expect.any(String));
    }
  });
});
