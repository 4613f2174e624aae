import type { IncomingMessage } from 'node:http';
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { errorJson } from './api-error';
import type { AppEnv } from './openapi';

/** Request bodies above this are refused with 413 (documented in docs/api.md). */
export const MAX_BODY_BYTES = 2 * 1024 * 1024;

/**
 * Request bodies: at most MAX_BODY_BYTES, and a connection the client can trust afterwards.
 *
 * Why: when an answer is sent before the body was read (a 413, a 401, a 400 on a path id, a
 * 415), @hono/node-server drains the rest for at most 500 ms and then destroys the socket. A
 * keep-alive client that writes its next request on that socket gets no answer. So any answer
 * given before the request body has fully arrived says `Connection: close`: Node ends the socket
 * cleanly after the answer and the client opens a new one.
 */
export function requestBody(): MiddlewareHandler<AppEnv> {
  const limit = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) => errorJson(c, 413, 'payload_too_large', 'request body is larger than 2 MiB'),
  });
  return async (c, next) => {
    const outcome = await limit(c, next);
    // bodyLimit answers with its 413 Response, or passes on what next() gave (not a Response).
    const refused = outcome instanceof Response ? outcome : undefined;
    // `complete`: Node's parser has received the whole request message, body included.
    const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
    if (incoming && !incoming.complete) (refused ?? c.res).headers.set('connection', 'close');
    return refused;
  };
}
