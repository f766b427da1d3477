// Credentials and role, checked before anything else a route does: 401 and 403 never depend on the request body.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { authorize, type KeyStore, type Principal, type Role } from '../auth/keys.js';
import { problem, type Problem } from './problem.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

export function sendProblem(reply: FastifyReply, body: Problem): FastifyReply {
  return reply.code(body.status).type('application/problem+json').send(body);
}

/**
 * Sends a 403 problem unless the request's principal has one of `roles` in `area`; true when allowed. A thing
 * whose area is not known (history imported out of order) is for keys without an area limit only.
 */
export async function allowedIn(request: FastifyRequest, reply: FastifyReply, roles: readonly Role[], area: string | undefined): Promise<boolean> {
  const decision = authorize(request.principal, { roles, area: area ?? '000000000000' });
  if (decision.ok) return true;
  await sendProblem(reply, problem(decision.status, decision.code, 'Forbidden', decision.detail));
  return false;
}

/** An onRequest hook: the bearer key's principal on the request, or a 401/403 problem. */
export function requireRole(keys: KeyStore, roles: readonly Role[]) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const header = request.headers.authorization;
    const principal = keys.authenticate(typeof header === 'string' && header.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined);
    const decision = authorize(principal, { roles });
    if (!decision.ok) return sendProblem(reply, problem(decision.status, decision.code, decision.status === 401 ? 'Unauthorized' : 'Forbidden', decision.detail));
    if (principal) request.principal = principal;
    return undefined;
  };
}
