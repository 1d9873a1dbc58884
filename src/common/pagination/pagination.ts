import { ApiPropertyOptional } from '@nestjs/swagger';
import { DomainError } from '../errors/domain-error';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { IsPlainText } from '../input/fields';

/** `?limit=&cursor=`, the one way to page a list. */
export class PageQuery {
  @ApiPropertyOptional({ default: 50, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit: number = 50;

  @ApiPropertyOptional({ description: 'opaque cursor from the previous page' })
  @IsOptional()
  @IsString()
  @IsPlainText()
  @MaxLength(200)
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * Keyset pagination over a (sortKey, id) pair: the cursor encodes the last
 * row's key, so pages stay stable while rows are added. Cursors travel in
 * URLs, so a sort key that is personal data (a name) is never put in one:
 * such lists pass an empty key and look the last row up by its id.
 */
export function encodeCursor(sortKey: string, id: string): string {
  return Buffer.from(JSON.stringify([sortKey, id])).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): [string, string] | null {
  if (!cursor) return null;
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'string')) return v as [string, string];
  } catch {
    // fall through
  }
  throw invalidCursor();
}

/** 400 `pagination.invalid_cursor` naming the field `cursor`. */
export const invalidCursor = () => new DomainError('pagination.invalid_cursor', {}, 'cursor');

/** Takes `limit + 1` fetched rows and turns them into a page. */
export function toPage<R, T>(rows: R[], limit: number, key: (r: R) => [string, string], map: (r: R) => T): Page<T> {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  const last = items[items.length - 1];
  return { items: items.map(map), nextCursor: more && last ? encodeCursor(...key(last)) : null };
}
