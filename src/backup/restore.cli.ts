/*
 * `npm run restore -- <backup folder> <DATA_DIR>`: checks a backup (digest,
 * migrations, the data key it needs) and restores it into an empty DATA_DIR
 * as `article4.sqlite`; never overwrites (backup.ts). Put the key files in
 * `<DATA_DIR>/keys` first (or set DATA_ENCRYPTION_KEY). Exit 0 on success, 1 on failure.
 */
import { MIGRATIONS } from '../database/migrations';
import { restoreSqlite } from './backup';

async function main(): Promise<void> {
  const [folder, dataDir] = process.argv.slice(2);
  if (!folder || !dataDir) throw new Error('usage: npm run restore -- <backup folder> <DATA_DIR>');
  const previous = process.env.DATA_ENCRYPTION_PREVIOUS_KEYS;
  const manifest = await restoreSqlite(
    folder,
    dataDir,
    MIGRATIONS.map((m) => m.name),
    { dataEncryptionKey: process.env.DATA_ENCRYPTION_KEY || undefined, dataEncryptionPreviousKeys: previous ? previous.split(',') : [] },
  );
  process.stdout.write(
    `Restored the backup of ${manifest.createdAt} into ${dataDir}. Start the service with DATA_DIR=${dataDir}, ` +
      'then run npm run audit:verify.\n',
  );
}

if (require.main === module)
  main().catch((err: unknown) => {
    process.stderr.write(`restore failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
