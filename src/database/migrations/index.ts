import { Foundation1764100000000 } from './1764100000000-Foundation';

/** In order. `npm run migration:generate` writes new files here; add them to this list. */
export const MIGRATIONS = [Foundation1764100000000];
