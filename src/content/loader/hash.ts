import { createHash } from 'node:crypto';

/*
 * The content hash of a module: what a completion records, so a changed
 * lesson or bank is a different module revision to the trained eye.
 */

/** LF line endings, trailing white space trimmed on every line, exactly one final newline (none if empty). */
export function normalizeText(text: string): string {
  const lines = text
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.trimEnd());
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines.length ? lines.join('\n') + '\n' : '';
}

/**
 * SHA-256 (hex) over a module's files: for each file in sorted name order,
 * its name, a NUL byte, then its normalized content (UTF-8).
 */
export function contentHash(files: Readonly<Record<string, string>>): string {
  const hash = createHash('sha256');
  for (const name of Object.keys(files).sort()) {
    hash.update(name, 'utf8');
    hash.update('\0', 'utf8');
    hash.update(normalizeText(files[name]), 'utf8');
  }
  return hash.digest('hex');
}
