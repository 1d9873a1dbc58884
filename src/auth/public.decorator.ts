import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'isPublic';
/** Opens a route (or controller) to callers without a session. Everything else needs one. */
export const Public = () => SetMetadata(IS_PUBLIC, true);
