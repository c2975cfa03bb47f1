import { SetMetadata } from '@nestjs/common';
import type { Role } from './credentials.js';

export const REQUIRED_ROLES = 'trailmark:roles';
export const PUBLIC_ENDPOINT = 'trailmark:public';

/** The roles that may call an endpoint (any one suffices; admin always may). */
export const RequiresRole = (...roles: Role[]) => SetMetadata(REQUIRED_ROLES, roles);

/** An endpoint anyone may call. An endpoint with neither decorator is refused to everyone: public is a choice, not a default. */
export const Public = () => SetMetadata(PUBLIC_ENDPOINT, true);
