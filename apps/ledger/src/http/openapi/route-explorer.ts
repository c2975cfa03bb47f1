import { Injectable, RequestMethod, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { Role } from '../auth/credentials.js';
import { REQUIRED_ROLES } from '../auth/requires-role.decorator.js';

/** A request parameter a handler reads by name (@Param, @Query, @Headers). */
export interface RouteParameter {
  readonly in: 'path' | 'query' | 'header';
  readonly name: string;
}

/** One route the application serves, as Nest registered it. */
export interface DiscoveredRoute {
  /** "EventsController.record": the key of the operations table. */
  readonly key: string;
  readonly controller: string;
  readonly handler: string;
  /** Lowercase HTTP method: "get", "post", ... */
  readonly method: string;
  /** OpenAPI path: "/v1/events/{id}/proof". */
  readonly path: string;
  readonly parameters: readonly RouteParameter[];
  /** The handler takes the request body (@Body). */
  readonly body: boolean;
  /** The handler takes the whole query string as an object (@Query() with no name): its parameters are named in the table. */
  readonly readsWholeQuery: boolean;
  /** Roles of @RequiresRole; undefined: a public route. */
  readonly roles: readonly Role[] | undefined;
}

const PARAMETER_LOCATION: Partial<Record<RouteParamtypes, RouteParameter['in']>> = {
  [RouteParamtypes.PARAM]: 'path',
  [RouteParamtypes.QUERY]: 'query',
  [RouteParamtypes.HEADERS]: 'header',
};

/** Headers every route reads through the framework, not worth a parameter of their own. */
const IMPLICIT_HEADERS = new Set(['authorization', 'content-type', 'content-length']);

/**
 * Every route of every controller, read from Nest's route metadata at runtime (@Controller, @Get,
 * @Post..., @Param/@Query/@Headers/@Body, @RequiresRole): the OpenAPI document is built from this,
 * so a new route appears in it without anyone touching the document.
 */
@Injectable()
export class RouteExplorer {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

  routes(): DiscoveredRoute[] {
    const routes: DiscoveredRoute[] = [];
    for (const wrapper of this.discovery.getControllers()) {
      const controller = wrapper.metatype as Type | undefined;
      if (!controller || !wrapper.instance) continue;
      const prototype = Object.getPrototypeOf(wrapper.instance) as object;
      const basePaths = pathList(Reflect.getMetadata(PATH_METADATA, controller));
      for (const handlerName of this.scanner.getAllMethodNames(prototype)) {
        const handler = (prototype as Record<string, unknown>)[handlerName] as (...args: unknown[]) => unknown;
        const routePath: unknown = Reflect.getMetadata(PATH_METADATA, handler);
        if (routePath === undefined) continue;
        const requestMethod = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, handlerName) ?? {}) as Record<string, { data?: unknown }>;
        const roles = (Reflect.getMetadata(REQUIRED_ROLES, handler) ?? Reflect.getMetadata(REQUIRED_ROLES, controller)) as Role[] | undefined;
        for (const method of httpMethods(requestMethod ?? RequestMethod.GET)) {
          for (const base of basePaths) {
            for (const sub of pathList(routePath)) {
              const path = openApiPath(base, sub);
              routes.push({
                key: `${controller.name}.${handlerName}`,
                controller: controller.name,
                handler: handlerName,
                method,
                path,
                parameters: parametersOf(args, path),
                body: Object.keys(args).some((key) => argType(key) === RouteParamtypes.BODY),
                readsWholeQuery: Object.entries(args).some(([key, arg]) => argType(key) === RouteParamtypes.QUERY && arg.data === undefined),
                roles,
              });
            }
          }
        }
      }
    }
    return routes;
  }
}

function pathList(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  return [typeof value === 'string' ? value : '/'];
}

/** "v1/events" + ":id/proof" → "/v1/events/{id}/proof". */
export function openApiPath(base: string, sub: string): string {
  const segments = `${base}/${sub}`.split('/').filter((segment) => segment !== '');
  return `/${segments.map((segment) => segment.replace(/^:(\w+)\??$/, '{$1}')).join('/')}`;
}

function httpMethods(method: RequestMethod): string[] {
  if (method === RequestMethod.ALL) return ['get', 'post', 'put', 'delete', 'patch', 'options', 'head'];
  return [RequestMethod[method]!.toLowerCase()];
}

function argType(key: string): RouteParamtypes | undefined {
  const type = Number(key.split(':', 1)[0]);
  return Number.isInteger(type) ? (type as RouteParamtypes) : undefined;
}

function parametersOf(args: Record<string, { data?: unknown }>, path: string): RouteParameter[] {
  const parameters: RouteParameter[] = [];
  const seen = new Set<string>();
  const add = (location: RouteParameter['in'], name: string): void => {
    const id = `${location}:${location === 'header' ? name.toLowerCase() : name}`;
    if (seen.has(id)) return;
    seen.add(id);
    parameters.push({ in: location, name: location === 'header' ? name.toLowerCase() : name });
  };
  // Path parameters come from the path itself, so one the handler does not read is still listed.
  for (const match of path.matchAll(/\{(\w+)\}/g)) add('path', match[1]!);
  const ordered = Object.entries(args).sort(([, a], [, b]) => ((a as { index?: number }).index ?? 0) - ((b as { index?: number }).index ?? 0));
  for (const [key, arg] of ordered) {
    const type = argType(key);
    const location = type === undefined ? undefined : PARAMETER_LOCATION[type];
    if (location === undefined || typeof arg.data !== 'string' || arg.data === '') continue;
    if (location === 'header' && IMPLICIT_HEADERS.has(arg.data.toLowerCase())) continue;
    if (location === 'path' && !seen.has(`path:${arg.data}`)) continue;
    add(location, arg.data);
  }
  return parameters;
}
