import { ActivityOptionsError, addActivity, parseActivityOptions } from './activity';
import type { Book } from './book-types';
import { FaultRuleError } from './fault-rules';
import type { SandboxFaults } from './faults';
import { json, jsonError, parseBody, type SandboxRequest, type SandboxResponse } from './http-kit';
import { isJsonObject, type JsonValue } from './json-text';
import { addUsers, deleteUsers, parseDeleteBody, parseSignupOptions, SignupOptionsError } from './signups';
import type { SandboxStats } from './stats';

/** Path prefix of the sandbox's own (non-upstream) routes. */
export const CONTROL_PREFIX = '/__sandbox/';

/** A control route's handler (it sees the request with its body). */
export type ControlHandler = (req: SandboxRequest) => SandboxResponse;

/** What the book holds now (part of `GET /__sandbox/stats`): its asOf and revision, and the rows of every table. */
function bookCounts(book: Book): JsonValue {
  return {
    asOf: book.asOf,
    revision: book.revision,
    users: book.users.length,
    positions: book.positions.length,
    transfers: book.transfers.length,
    orders: book.orders.length,
    trades: book.trades.length,
    openOrders: book.openOrders.length,
  };
}

/**
 * Finds the control route of `method` + `name` (the path after `/__sandbox/`): manifest, stats (and their reset),
 * health, venue accounts, rate-limit reset, new activity after the asOf, users signing up or deleted (`users`,
 * `users/delete`) and the fault rules (`GET` lists,
 * `POST {rules}` replaces, `DELETE` clears). Undefined → 404.
 */
export function createControlHandler(
  book: Book,
  stats: SandboxStats,
  resetLimits: () => void,
  faults: SandboxFaults,
): (method: string, name: string) => ControlHandler | undefined {
  const listed = () => json(200, { rules: faults.list() as unknown as JsonValue });
  return (method, name) => {
    if (method === 'GET' && name === 'manifest') return () => json(200, book.manifest as unknown as JsonValue);
    if (method === 'GET' && name === 'stats')
      return () => json(200, { ...(stats.snapshot() as unknown as Record<string, JsonValue>), book: bookCounts(book) });
    if (method === 'POST' && name === 'reset-stats') {
      return () => {
        stats.reset();
        return json(200, { ok: true });
      };
    }
    if (method === 'POST' && name === 'activity') {
      return (req) => {
        const parsed = parseBody(req.body);
        if (!parsed.ok) return jsonError(400, parsed.message);
        try {
          return json(200, addActivity(book, parseActivityOptions(parsed.value)) as unknown as JsonValue);
        } catch (err) {
          if (err instanceof ActivityOptionsError) return jsonError(400, err.message);
          throw err;
        }
      };
    }
    if (method === 'POST' && (name === 'users' || name === 'users/delete')) {
      return (req) => {
        const parsed = parseBody(req.body);
        if (!parsed.ok) return jsonError(400, parsed.message);
        try {
          const done =
            name === 'users' ? addUsers(book, parseSignupOptions(parsed.value)) : deleteUsers(book, parseDeleteBody(parsed.value));
          return json(200, done as unknown as JsonValue);
        } catch (err) {
          if (err instanceof SignupOptionsError) return jsonError(400, err.message);
          throw err;
        }
      };
    }
    if (method === 'GET' && name === 'health') return () => json(200, { ok: true });
    if (method === 'GET' && name === 'venue-accounts') return () => json(200, book.venueMappings as unknown as JsonValue);
    if (method === 'POST' && name === 'reset-rate-limits') {
      return () => {
        resetLimits();
        return json(200, { ok: true });
      };
    }
    if (name === 'faults') {
      if (method === 'GET') return listed;
      if (method === 'DELETE') {
        return () => {
          faults.clear();
          return listed();
        };
      }
      if (method === 'POST') {
        return (req) => {
          const parsed = parseBody(req.body);
          if (!parsed.ok) return jsonError(400, parsed.message);
          if (!isJsonObject(parsed.value) || !Array.isArray(parsed.value.rules)) {
            return jsonError(400, 'Body must be {"rules": [...]} (the rules replace the active ones; [] clears them)');
          }
          try {
            faults.set(parsed.value.rules as never);
          } catch (err) {
            if (err instanceof FaultRuleError) return jsonError(400, err.message);
            throw err;
          }
          return listed();
        };
      }
      return () => jsonError(405, 'Method not allowed: GET, POST or DELETE /__sandbox/faults');
    }
    return undefined;
  };
}
