// `npm run keys:rotate-data [-- --resume]`: a new data key encrypts from now on, and every value under an older key is re-encrypted with it.
import 'reflect-metadata';
import { readDataKeyFiles, writeDataKeyFile } from '../common/crypto/data-keys';
import { DATA_KEYS } from '../common/crypto/field-cipher';
import { loadConfig } from '../config/app-config';
import { rotateDataKeys } from './data-key-rotation';
import { dataSourceOptions } from './data-source-options';
import { openDatabase } from './migrate';

/*
 * Without `--resume`, and with no DATA_ENCRYPTION_KEY set, writes the next key file
 * (`data-<n+1>.key`), which becomes the current key; with DATA_ENCRYPTION_KEY, the operator has
 * already put the new key there and the old one in DATA_ENCRYPTION_PREVIOUS_KEYS. Then re-encrypts
 * in batches. Interrupted, it is run again with `--resume`; run it once more after every instance
 * was restarted on the new key, for the values they wrote meanwhile. docs/data-protection.md.
 */
async function main() {
  const config = loadConfig();
  const resume = process.argv.includes('--resume');
  if (!resume && !config.dataEncryptionKey) {
    const files = readDataKeyFiles(config.dataDir);
    const next = writeDataKeyFile(config.dataDir, (files.at(-1)?.seq ?? 0) + 1);
    console.log(`New data key ${next.key.kid} in ${next.path}.`);
  }
  const ds = await openDatabase(dataSourceOptions(config));
  try {
    console.log(`Re-encrypting under data key ${DATA_KEYS.current().kid}.`);
    const progress = await rotateDataKeys(ds, {
      onProgress: (p) => console.log(`${p.column}: ${p.reencrypted} re-encrypted, ${p.current} already current`),
    });
    const total = progress.reduce((n, p) => n + p.reencrypted, 0);
    console.log(
      `Done: ${total} values re-encrypted. Restart the instances so they encrypt with the new key, then run again with --resume.`,
    );
  } finally {
    await ds.destroy();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
