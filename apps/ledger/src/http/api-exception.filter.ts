import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorBody, toApiError } from './error-responses.js';

/** Every error becomes `{"error":{"code","message","details"}}`; server errors are logged with the request id. */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    replyWithError(error, http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>());
  }
}

export function replyWithError(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const apiError = toApiError(error);
  if (apiError.status >= 500) request.log.error({ err: error }, 'request failed');
  void reply.status(apiError.status).header('content-type', 'application/json; charset=utf-8').send(errorBody(apiError));
}
