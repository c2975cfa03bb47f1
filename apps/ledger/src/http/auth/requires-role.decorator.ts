import { SetMetadata } from '@nestjs/common';
import type { Role } from './credentials.js';

export const REQUIRED_ROLES = 'trailmark:roles';

/** The roles that may call an endpoint (any one suffices; admin always may). No decorator: public. */
export const RequiresRole = (...roles: Role[]) => SetMetadata(REQUIRED_ROLES, roles);
