import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../api-error.js';
import { authorizeBearer } from './authorize-bearer.js';
import { Credentials, type Principal, type Role } from './credentials.js';
import { PUBLIC_ENDPOINT, REQUIRED_ROLES } from './requires-role.decorator.js';

export type AuthenticatedRequest = FastifyRequest & { principal?: Principal };

/**
 * The route's roles, checked again where Nest knows the handler. The onRequest hook (early-authentication.ts)
 * has already refused a bad token before the body was read; this guard also refuses a route that declares
 * neither its roles nor that it is public.
 */
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
    request.principal = authorizeBearer(this.credentials, request.headers.authorization, roles);
    return true;
  }
}
