import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { DATA_KEYS, dataKey, DataKeyRing } from '../common/crypto/field-cipher';
import { checkDataKeys } from './data-key-check';

const withNewest = (email: string | null) => ({ query: () => Promise.resolve(email === null ? [] : [{ email }]) }) as unknown as DataSource;

describe('checkDataKeys', () => {
  const mine = dataKey(randomBytes(32));
  beforeAll(() => DATA_KEYS.add([], mine));

  it('lets an empty database, a plain row, or a row under a loaded key through', async () => {
    await expect(checkDataKeys(withNewest(null))).resolves.toBeUndefined();
    await expect(checkDataKeys(withNewest('plain@example.jp'))).resolves.toBeUndefined();
    await expect(checkDataKeys(withNewest(DATA_KEYS.encrypt('a@example.jp', 'users.email')))).resolves.toBeUndefined();
  });

  it('refuses a database whose rows are under a key this instance does not have, naming the key id only', async () => {
    const theirs = new DataKeyRing();
    const key = dataKey(randomBytes(32));
    theirs.add([], key);
    const value = theirs.encrypt('a@example.jp', 'users.email');
    await expect(checkDataKeys(withNewest(value))).rejects.toThrow(new RegExp(`data key ${key.kid}, which is not loaded`));
  });
});
