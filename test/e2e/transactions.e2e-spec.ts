import { TransactionService } from '../../src/database/transaction.service';
import { Municipality } from '../../src/municipalities/municipality.entity';
import { createTestApp, TestApp } from '../utils/create-app';

describe('TransactionService', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('runs 100 concurrent read-modify-write transactions without interleaving or losing one', async () => {
    const tx = t.app.get(TransactionService);
    const id = '00000000-0000-4000-8000-000000000001';
    await tx.run((m) => m.insert(Municipality, { id, name: '0', code: '343021', createdAt: new Date() }));
    const failing = new Set([7, 23, 51]);
    const results = await Promise.allSettled(
      Array.from({ length: 100 }, (_, i) =>
        tx.run(async (m) => {
          // PostgreSQL runs these in parallel; there the row lock is what keeps them apart.
          const lock = t.config.databaseKind === 'postgres' ? { mode: 'pessimistic_write' as const } : undefined;
          const row = await m.findOneOrFail(Municipality, { where: { id }, lock });
          // Yield between read and write: without serialization another transaction would read the same value.
          await new Promise((r) => setImmediate(r));
          await m.update(Municipality, { id }, { name: String(Number(row.name) + 1) });
          if (failing.has(i)) throw new Error('rolled back on purpose');
        }),
      ),
    );
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(failing.size);
    const row = await t.dataSource.getRepository(Municipality).findOneByOrFail({ id });
    // Each rollback undid only its own increment.
    expect(Number(row.name)).toBe(100 - failing.size);
  });
});
