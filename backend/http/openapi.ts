import { OpenAPIHono, createRoute, type RouteConfig } from '@hono/zod-openapi';
import { z } from 'zod';
import { ErrorBody } from '../../shared/contracts/api';
import { UuidText } from '../../shared/contracts/text';
import type { AuthVariables } from './auth/middleware';
import { validationError } from './api-error';

/** Route building blocks shared by every router: validation errors name the field, errors share one shape. */

export type AppEnv = { Variables: AuthVariables };

export function newRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (!result.success) return validationError(c, result.target === 'json' ? 'body' : result.target, result.error);
    },
  });
}

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: ErrorBody } } });

export const STANDARD_ERRORS = {
  400: errorResponse('Invalid input; `error.details` names each field'),
  401: errorResponse('Missing or invalid credentials'),
  403: errorResponse('Not your workflow / command'),
  404: errorResponse('Not found'),
  409: errorResponse('Conflict (state changed, stale lease, illegal transition)'),
} as const;

export function jsonBody<T extends z.ZodType>(schema: T) {
  return { required: true, content: { 'application/json': { schema } } };
}

export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } };
}

/** Workflow and command ids are UUIDs: any other path id is a 400 naming `param.id`, never a database query. */
export const IdParam = z.object({ id: UuidText });

export function route<R extends RouteConfig>(config: R): R {
  return createRoute(config);
}
