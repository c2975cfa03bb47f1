import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../api-error.js';
import { Credentials, type Principal, type Role } from './credentials.js';
import { PUBLIC_ENDPOINT, REQUIRED_ROLES } from './requires-role.decorator.js';

export type AuthenticatedRequest = FastifyRequest & { principal?: Principal };

@Injectable()
export class BearerAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly credentials: Credentials,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(REQUIRED_ROLES, targets);
    if (!roles) {
      if (this.reflector.getAllAndOverride<boolean | undefined>(PUBLIC_ENDPOINT, targets)) return true;
      throw new ApiError(403, 'forbidden', 'this endpoint declares neither its roles nor that it is public');
    }
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    const token = header?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
    if (!token) throw new ApiError(401, 'unauthorized', 'send credentials as "Authorization: Bearer <token>"');
    const principal = this.credentials.authenticate(token);
    if (!principal) throw new ApiError(401, 'unauthorized', 'the bearer token is not known');
    if (!principal.roles.has('admin') && !roles.some((role) => principal.roles.has(role))) {
      throw new ApiError(403, 'forbidden', `the token "${principal.name}" needs the role ${roles.join(' or ')}`);
    }
    request.principal = principal;
    return true;
  }
}
