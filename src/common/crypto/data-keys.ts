import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { DATA_KEYS, DataKey, dataKey, DataKeyError } from './field-cipher';

/*
 * Where the data keys come from (docs/data-protection.md, "Keys"):
 * - `DATA_ENCRYPTION_KEY` (base64 of 32 bytes): the current key, for several
 *   instances sharing one database; `DATA_ENCRYPTION_PREVIOUS_KEYS` (comma-
 *   separated, same form): keys still read during a rotation.
 * - otherwise the key files `<DATA_DIR>/keys/data-<NNNN>.key` (base64, mode
 *   0600, folder 0700), the highest number being current; the first is
 *   generated on first start, like the signing keys. Key files are read in
 *   both cases, so moving from files to the variable keeps old rows readable.
 */

export interface DataKeySource {
  dataDir: string;
  dataEncryptionKey?: string;
  dataEncryptionPreviousKeys?: string[];
}

const FILE = /^data-(\d{4})\.key$/;

const dir = (dataDir: string) => join(dataDir, 'keys');

/** Parses base64 (or base64url) of 32 bytes. @throws DataKeyError without echoing the value */
export function parseDataKey(text: string, source: string): DataKey {
  const b = Buffer.from(text.trim(), 'base64');
  if (b.length !== 32) throw new DataKeyError(`${source} is not base64 of 32 bytes`);
  return dataKey(b);
}

export interface DataKeyFile {
  seq: number;
  path: string;
  key: DataKey;
}

/** The key files, lowest number first. */
export function readDataKeyFiles(dataDir: string): DataKeyFile[] {
  let names: string[];
  try {
    names = readdirSync(dir(dataDir));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  return names
    .map((n) => FILE.exec(n))
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => ({ seq: Number(m[1]), path: join(dir(dataDir), m[0]) }))
    .sort((a, b) => a.seq - b.seq)
    .map((f) => ({ ...f, key: parseDataKey(readFileSync(f.path, 'utf8'), `key file ${f.path}`) }));
}

/**
 * Writes a new random key as `data-<seq>.key` (mode 0600, created exclusively:
 * two processes racing for the same number get one file, and the loser reads
 * it). Answers the file, new or the one that won.
 */
export function writeDataKeyFile(dataDir: string, seq: number): DataKeyFile {
  const folder = dir(dataDir);
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  chmodSync(folder, 0o700);
  const path = join(folder, `data-${String(seq).padStart(4, '0')}.key`);
  const key = randomBytes(32);
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return { seq, path, key: parseDataKey(readFileSync(path, 'utf8'), `key file ${path}`) };
  }
  try {
    writeSync(fd, key.toString('base64') + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return { seq, path, key: dataKey(key) };
}

/** The keys a configuration names: current first, then every other readable key. */
export function loadDataKeys(source: DataKeySource, { create = true } = {}): { current: DataKey; others: DataKey[] } {
  let files = readDataKeyFiles(source.dataDir);
  const previous = (source.dataEncryptionPreviousKeys ?? []).map((k, i) => parseDataKey(k, `DATA_ENCRYPTION_PREVIOUS_KEYS[${i}]`));
  let current: DataKey;
  if (source.dataEncryptionKey) current = parseDataKey(source.dataEncryptionKey, 'DATA_ENCRYPTION_KEY');
  else {
    if (!files.length) {
      if (!create) throw new DataKeyError(`no data key: set DATA_ENCRYPTION_KEY or put the key files in ${dir(source.dataDir)}`);
      writeDataKeyFile(source.dataDir, 1);
      files = readDataKeyFiles(source.dataDir);
    }
    current = files[files.length - 1].key;
  }
  for (const f of files) {
    // A key file readable by others is refused, like an SSH key.
    if ((statSync(f.path).mode & 0o077) !== 0) throw new DataKeyError(`key file ${f.path} must have mode 0600`);
  }
  const others = [...previous, ...files.map((f) => f.key)].filter((k) => k.kid !== current.kid);
  return { current, others };
}

/**
 * Loads the configuration's keys into the process's key ring (src/common/crypto/field-cipher.ts),
 * the current one becoming the key that encrypts; called before the database opens. Keys already
 * in the ring stay (a test process may run several apps). A value naming a key the ring does not
 * know makes it re-read the key files once: `keys:rotate-data` may have added one.
 */
export function installDataKeys(source: DataKeySource): DataKey {
  const { current, others } = loadDataKeys(source);
  DATA_KEYS.add(others, current);
  DATA_KEYS.onUnknownKey = () => DATA_KEYS.add(readDataKeyFiles(source.dataDir).map((f) => f.key));
  return current;
}
