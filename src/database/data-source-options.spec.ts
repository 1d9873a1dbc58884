import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useWal } from './data-source-options';

const busy = () => Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });

describe('useWal', () => {
  it('turns on write-ahead logging on a fresh file, and finds it on at the next open', () => {
    const dir = mkdtempSync(join(tmpdir(), 'a4lms-wal-'));
    try {
      const file = join(dir, 'x.sqlite');
      const first = new Database(file);
      useWal(first);
      expect(first.pragma('journal_mode', { simple: true })).toBe('wal');
      first.close();
      const again = new Database(file);
      expect(again.pragma('journal_mode', { simple: true })).toBe('wal');
      again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('retries while another process holds the file (SQLITE_BUSY without the busy handler)', () => {
    const calls: string[] = [];
    let failures = 2;
    const db = {
      pragma(source: string) {
        calls.push(source);
        if (source === 'journal_mode') return 'delete';
        if (failures-- > 0) throw busy();
        return 'wal';
      },
    };
    useWal(db);
    expect(calls.filter((c) => c === 'journal_mode = WAL')).toHaveLength(3);
  });

  it('gives up after its wait with the driver error, and passes any other error at once', () => {
    const always = {
      pragma: (s: string) =>
        s === 'journal_mode'
          ? 'delete'
          : (() => {
              throw busy();
            })(),
    };
    expect(() => useWal(always, 50)).toThrow('database is locked');
    const other = {
      pragma: () => {
        throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' });
      },
    };
    expect(() => useWal(other)).toThrow('disk I/O error');
  });
});
