import { ApiError } from '../api-error.js';
import type { Credentials, Principal, Role } from './credentials.js';

/** The principal an Authorization header stands for, if it holds one of `roles` (admin always does); else a 401 or 403 ApiError. */
export function authorizeBearer(credentials: Credentials, header: string | undefined, roles: readonly Role[]): Principal {
  const token = header?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
  if (!token) throw new ApiError(401, 'unauthorized', 'send credentials as "Authorization: Bearer <token>"');
  const principal = credentials.authenticate(token);
  if (!principal) throw new ApiError(401, 'unauthorized', 'the bearer token is not known');
  if (!principal.roles.has('admin') && !roles.some((role) => principal.roles.has(role))) {
    throw new ApiError(403, 'forbidden', `the token "${principal.name}" needs the role ${roles.join(' or ')}`);
  }
  return principal;
}
