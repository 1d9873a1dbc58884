import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Role } from '../users/user.entity';

/** Who is calling, as the guard resolved it from the session. */
export interface AuthUser {
  id: string;
  role: Role;
  displayName: string;
  email: string;
  municipalityId: string | null;
  organizationId: string | null;
  workerId: string | null;
  sessionId: string;
}

export const ROLES_KEY = 'roles';
/** The roles allowed on a route; others get 403. Which rows they may see is the owning service's business. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthUser => {
  return ctx.switchToHttp().getRequest().user;
});

/** Like CurrentUser, but undefined on public routes when nobody is signed in. */
export const OptionalUser = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthUser | undefined => {
  return ctx.switchToHttp().getRequest().user;
});
