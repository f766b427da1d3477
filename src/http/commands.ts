// POST /v1/commands/{command}: every command of the domain, for finance bureaus (and auditors, who seal
// periods and resolve findings). The client's id (body `id` or an Idempotency-Key header) makes a retry answer
// with the original result; the same id with a different body is a 409 naming the differing fields.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Command, type CommandType } from '../../domain/commands.js';
import { DomainError } from '../../domain/errors.js';
import { Violation } from '../../domain/events.js';
import { Uuid } from '../../domain/values.js';
import { authorize, type KeyStore, type Role } from '../auth/keys.js';
import { requireRole, sendProblem } from './auth.js';
import { parseCommand, type CommandExecutor } from '../domain/executor.js';
import { Problem, problem } from './problem.js';
import { areaOfCommand } from './scope.js';

/** Commands only auditors may post: sealing their periods and resolving their findings. */
const AUDITOR_COMMANDS = new Set<CommandType>(['SealPeriod', 'ResolveFinding']);

export const rolesFor = (type: CommandType): readonly Role[] => (AUDITOR_COMMANDS.has(type) ? ['auditor'] : ['finance']);

/** RegisterHousehold → register-household. */
export const commandPath = (type: CommandType): string => `/v1/commands/${type.replace(/[A-Z]/g, (c, i: number) => `${i === 0 ? '' : '-'}${c.toLowerCase()}`)}`;

const Result = z.object({
  status: z.enum(['recorded', 'already_recorded']),
  position: z.number().int(),
  events: z.array(z.object({ id: z.string(), stream: z.string(), type: z.string(), revision: z.number().int() })),
  violations: z.array(Violation),
});


/** A refusal of the domain as a problem: 400 malformed, 409 an id reused for something else, 422 refused. */
function refusal(error: DomainError): Problem {
  if (error.code === 'invalid_command') {
    const issues = (error.details.issues as { path: string; message: string }[] | undefined) ?? [];
    return problem(400, 'invalid_command', 'Bad Request', error.message, { errors: issues });
  }
  if (error.code === 'command_id_reused_with_different_content') return problem(409, error.code, 'Conflict', error.message);
  return problem(422, error.code, 'Unprocessable Content', error.message);
}

export interface CommandRouteDeps {
  executor: CommandExecutor;
  keys: KeyStore;
  now?: () => Date;
}

export function registerCommandRoutes(app: FastifyInstance, deps: CommandRouteDeps): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  for (const option of Command.options) {
    const type = option.shape.type.value as CommandType;
    const roles = rolesFor(type);
    const Body = (option as unknown as z.ZodObject<z.ZodRawShape>).omit({ type: true, id: true } as never).extend({ id: Uuid.optional() });
    typed.post(
      commandPath(type),
      {
        schema: {
          summary: `${type}`,
          tags: ['commands'],
          security: [{ apiKey: [] }],
          headers: z.object({ 'idempotency-key': Uuid.optional() }).loose(),
          body: Body,
          response: { 200: Result, 201: Result, 400: Problem, 401: Problem, 403: Problem, 409: Problem, 422: Problem },
        },
        onRequest: requireRole(deps.keys, roles),
      },
      async (request, reply) => {
        const headerId = request.headers['idempotency-key'];
        const { id: bodyId, ...rest } = request.body as { id?: string } & Record<string, unknown>;
        if (bodyId && typeof headerId === 'string' && headerId !== bodyId) {
          return sendProblem(reply, problem(400, 'idempotency_key_mismatch', 'Bad Request', `the body's id ${bodyId} and the Idempotency-Key ${headerId} differ: send one, or the same in both`));
        }
        const id = bodyId ?? (typeof headerId === 'string' ? headerId : undefined);
        if (!id) return sendProblem(reply, problem(400, 'id_required', 'Bad Request', 'every command carries the client\'s id (a UUID), in the body as `id` or as an Idempotency-Key header, so that a retry is recognised'));
        try {
          const command = parseCommand({ ...rest, type, id });
          const principal = request.principal!;
          const area = await areaOfCommand(command, (stream) => deps.executor.load(stream));
          const allowed = authorize(principal, { roles, ...(area ? { area } : {}) });
          if (!allowed.ok) return sendProblem(reply, problem(allowed.status, allowed.code, 'Forbidden', allowed.detail));
          const result = await deps.executor.execute(command, {
            actor: principal.name,
            role: principal.role,
            now: (deps.now?.() ?? new Date()).toISOString(),
            mode: 'live',
            correlationId: request.id,
          });
          return reply.code(result.status === 'recorded' ? 201 : 200).send(result);
        } catch (error) {
          if (error instanceof DomainError) return sendProblem(reply, refusal(error));
          throw error;
        }
      },
    );
  }
}
