import { toErrorBody } from '../filters/all-exceptions.filter';
import { t } from '../i18n/words';
import { DomainError } from './domain-error';

describe('DomainError', () => {
  it('answers with the status of its code, English words and the field it concerns', () => {
    const body = toErrorBody(new DomainError('serial.check_character', {}, 'serial'), 'req-1');
    const words = t('en', 'errors.serial.check_character');
    expect(body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      code: 'serial.check_character',
      message: words,
      details: [{ field: 'serial', code: 'serial.check_character', messages: [words] }],
      requestId: 'req-1',
    });
  });

  it('lists several refused fields with their codes (the validation pipe)', () => {
    const details = [{ field: 'email', code: 'validation.isEmail', messages: ['email must be an email'] }];
    const body = toErrorBody(new DomainError('input.invalid', { fields: 'email' }, undefined, details), 'req-2');
    expect(body).toMatchObject({ statusCode: 400, code: 'input.invalid', message: 'Invalid input: email', details });
  });

  it('answers anything else with a 500 that names only the request id', () => {
    expect(toErrorBody(new Error('secret detail'), 'req-3')).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      message: t('en', 'errors.internal', { requestId: 'req-3' }),
      requestId: 'req-3',
    });
  });
});
