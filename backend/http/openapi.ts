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

/** What every authenticated /api route can answer whatever it does. */
export const AUTH_ERRORS = {
  401: errorResponse('Missing or invalid credentials'),
  500: errorResponse('A bug; quote `error.correlationId`'),
} as const;

export const STANDARD_ERRORS = {
  ...AUTH_ERRORS,
  400: errorResponse('Invalid input; `error.details[].field` names each field'),
  403: errorResponse('Not your workflow / command'),
  404: errorResponse('Not found'),
  409: errorResponse('Conflict (state changed, stale lease, illegal transition)'),
  413: errorResponse('Body larger than 2 MiB (the connection is closed after the answer)'),
} as const;

/** Operator routes: 403 is "not an operator", 503 "operator API not configured". */
export const ADMIN_ERRORS = {
  ...STANDARD_ERRORS,
  403: errorResponse('The ID token is valid but its email is not in OPERATOR_EMAILS'),
  503: errorResponse('The operator API is disabled (neither OPERATOR_EMAILS nor ADMIN_TOKEN is set)'),
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
