import type { MiddlewareObj } from '@middy/core';
import { type DevSignIn, devSignInFromEnv } from '../auth/dev-sign-in';

/** A request of a route that exists only where local sign-in is configured, with that configuration. */
export interface DevSignInEvent {
  devSignIn: DevSignIn;
}

/**
 * Answers 404 — before the body is read, so nothing about the route is revealed — unless
 * `AUTH_DEV_KEY` is set (the local stage only), and otherwise puts the local sign-in on the event.
 * The environment is read on the first request: a malformed key is a logged 500, not a failed cold start.
 */
export function devSignInOnly(env: NodeJS.ProcessEnv = process.env): MiddlewareObj<unknown> {
  let signIn: DevSignIn | null | undefined;
  return {
    name: 'devSignInOnly',
    before: (request) => {
      signIn ??= devSignInFromEnv(env) ?? null;
      if (signIn === null) {
        return { statusCode: 404, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: 'not found' }) };
      }
      request.event = { ...(request.event as object), devSignIn: signIn } satisfies DevSignInEvent;
      return undefined;
    },
  };
}
