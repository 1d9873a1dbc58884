import Negotiator from 'negotiator';

/**
 * The media type a client prefers among those offered, by its Accept header
 * (RFC 9110 §12.5.1, q-values and wildcards, with jshttp's negotiator); the
 * first offered when the header is absent or accepts anything equally.
 */
export function preferredMediaType<T extends string>(accept: string | undefined, offered: readonly [T, ...T[]]): T {
  const chosen = new Negotiator({ headers: { accept } }).mediaType([...offered]) as T | undefined;
  return chosen ?? offered[0];
}
