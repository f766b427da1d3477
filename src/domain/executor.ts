// The one in-process command entry: the HTTP layer, imports and the demo generator all call execute().
// It gathers states (from a cache kept current by following the log), lets the pure domain decide, and
// appends with every written stream's expected revision, so a stale cache can never let a wrong decision
// through: a conflicting append is retried on fresh state.
import { createHash } from 'node:crypto';
import { Command, type ExecutionContext } from '../../domain/commands.js';
import { ALWAYS_READ, decideCommand, handlerFor, type View } from '../../domain/decide.js';
import { DomainError } from '../../domain/errors.js';
import { DomainEvent, type EventMetadata, type Violation } from '../../domain/events.js';
import { evolve, initial, kindOfStream, type StateOf, type StreamKind, type Tracked } from '../../domain/state.js';
import { canonicalJson } from '../store/validate.js';
import { EventIdConflictError, WrongExpectedVersionError } from '../store/errors.js';
import type { EventStore, JsonObject, JsonValue, NewEvent, RecordedEvent, StreamAppend } from '../store/types.js';

export interface ExecuteResult {
  status: 'recorded' | 'already_recorded';
  /** Global position of the last event the command recorded. */
  position: number;
  events: { id: string; stream: string; type: string; revision: number }[];
  violations: Violation[];
}

export interface ExecutorOptions {
  /** Streams kept folded in memory; the least recently used are dropped past this. */
  cacheSize?: number;
  /** Attempts when another writer got to a stream first. */
  maxAttempts?: number;
  /**
   * How stale looked-up facts written by *other* processes may be. Streams a command writes are always
   * checked by expected revision; this only bounds how soon, say, another process's household removal is
   * seen by this one. 0 checks the log before every command.
   */
  syncIntervalMs?: number;
}

interface Cached {
  kind: StreamKind;
  state: Tracked;
  /** When it was last used, for eviction: a counter, so a hit costs no Map re-insertion. */
  used: number;
}

export class CommandExecutor {
  private readonly cache = new Map<string, Cached>();
  private uses = 0;
  /** Every event up to this position has been folded into the cached states it touches. */
  private known: number | undefined;
  private readonly cacheSize: number;
  private readonly maxAttempts: number;
  private readonly syncIntervalMs: number;
  private lastSync = Number.NEGATIVE_INFINITY;

  constructor(
    readonly store: EventStore,
    options: ExecutorOptions = {},
  ) {
    this.cacheSize = options.cacheSize ?? 50_000;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.syncIntervalMs = options.syncIntervalMs ?? 20;
  }

  async execute(input: unknown, ctx: ExecutionContext): Promise<ExecuteResult> {
    const command = parseCommand(input);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.attempt(command, ctx);
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError) || attempt >= this.maxAttempts) throw translate(error, command);
        this.cache.delete(error.stream);
        // Someone else wrote: catch up with everything they wrote before deciding again.
        this.lastSync = Number.NEGATIVE_INFINITY;
      }
    }
  }

  private async attempt(command: Command, ctx: ExecutionContext): Promise<ExecuteResult> {
    await this.sync();
    const handler = handlerFor(command.type);
    const writes = [...(handler.writes as (c: Command) => string[])(command)];
    const loaded = new Map<string, Tracked>();
    await this.loadAll([...writes, ...ALWAYS_READ, ...(handler.reads as (c: Command) => string[])(command)], loaded);
    const view = viewOf(loaded);
    const more = handler.more ? (handler.more as (c: Command, v: View) => string[])(command, view) : [];
    await this.loadAll(more, loaded);
    for (const stream of more) if (!writes.includes(stream)) writes.push(stream);

    const primary = loaded.get(writes[0]!)!;
    const seen = primary.commands.get(command.id);
    if (seen !== undefined) return this.retried(command, writes, loaded);

    const decision = decideCommand(command, view, ctx.mode);
    const appends = this.toAppends(command, ctx, decision, loaded);
    const result = appends.length === 1 ? await this.appendOne(appends[0]!) : await this.store.appendMulti(appends);
    const recorded = this.remember(appends, loaded, result.position);
    // Two workers sending the same command at once: the store recorded it once and says so.
    const status = 'alreadyRecorded' in result && result.alreadyRecorded ? 'already_recorded' : 'recorded';
    return { status, position: result.position, events: recorded, violations: decision.violations };
  }

  private async appendOne(append: StreamAppend): Promise<{ position: number }> {
    return this.store.append(append.stream, append.events, append.expectedRevision);
  }

  private toAppends(command: Command, ctx: ExecutionContext, decision: ReturnType<typeof decideCommand>, loaded: Map<string, Tracked>): StreamAppend[] {
    const base = metadataFor(command, ctx, decision.ruleVersion);
    let index = 0;
    return decision.emits.map((emit, emitIndex) => {
      const revision = loaded.get(emit.stream)?.revision ?? -1;
      const events: NewEvent[] = emit.events.map((event) => {
        const flagged = emitIndex === 0 && event.type !== 'AccountOpened' && decision.violations.length > 0;
        const metadata: EventMetadata = flagged ? { ...base, violations: decision.violations } : base;
        return { id: eventId(command.id, index++), type: event.type, data: event.data as JsonValue, metadata: metadata as unknown as JsonObject };
      });
      return { stream: emit.stream, events, expectedRevision: revision < 0 ? 'no_stream' : revision };
    });
  }

  /** Folds what was just written into the cached states, so the next command needs no read. */
  private remember(appends: StreamAppend[], loaded: Map<string, Tracked>, position: number): ExecuteResult['events'] {
    const out: ExecuteResult['events'] = [];
    let count = 0;
    for (const append of appends) {
      const state = loaded.get(append.stream);
      let revision = typeof append.expectedRevision === 'number' ? append.expectedRevision : -1;
      for (const event of append.events) {
        revision += 1;
        count += 1;
        out.push({ id: event.id, stream: append.stream, type: event.type, revision });
        if (state && state.revision === revision - 1) {
          const meta = event.metadata as unknown as EventMetadata;
          evolve(state, { event: { type: event.type, data: event.data } as DomainEvent, id: event.id, commandId: meta.commandId, effectiveDate: meta.effectiveDate, revision });
        }
      }
    }
    // Positions of one append are consecutive on the embedded store: nothing else slipped in between.
    if (this.known !== undefined && position - count === this.known) this.known = position;
    return out;
  }

  /** The command was recorded before: the same content is answered as done, other content is refused. */
  private async retried(command: Command, writes: string[], loaded: Map<string, Tracked>): Promise<ExecuteResult> {
    const recorded: RecordedEvent[] = [];
    for (const stream of writes) {
      const revision = loaded.get(stream)?.commands.get(command.id);
      if (revision === undefined) continue;
      const events = await this.store.readStream(stream, { fromRevision: revision, maxCount: 100 });
      recorded.push(...events.filter((e) => (e.metadata as { commandId?: string }).commandId === command.id));
    }
    const main = recorded.find((event) => event.type !== 'AccountOpened') ?? recorded[0]!;
    const differing = differingCommandFields(command, main);
    if (differing.length > 0) {
      throw new DomainError('command_id_reused_with_different_content', `command id ${command.id} was already used for a different ${main.type}: ${differing.join(', ')} differ`, { fields: differing });
    }
    const meta = main.metadata as unknown as EventMetadata;
    const events = recorded.map((e) => ({ id: e.id, stream: e.stream, type: e.type, revision: e.revision }));
    return { status: 'already_recorded', position: Math.max(...recorded.map((e) => e.position)), events, violations: meta.violations ?? [] };
  }

  private async loadAll(names: string[], into: Map<string, Tracked>): Promise<void> {
    for (const stream of names) {
      if (into.has(stream)) continue;
      into.set(stream, await this.load(stream));
    }
  }

  /** A stream's state from the cache, or folded from the store on a miss. */
  async load(stream: string): Promise<Tracked> {
    const hit = this.cache.get(stream);
    if (hit) {
      // Moving a hit to the back of the Map (delete, then set) cost tens of µs per read once tens of thousands
      // of streams were cached, paid for every registry stream of every command: a use counter is enough.
      hit.used = ++this.uses;
      return hit.state;
    }
    const kind = kindOfStream(stream);
    const state: Tracked = initial[kind]();
    for (let from = 0; ; ) {
      const page = await this.store.readStream(stream, { fromRevision: from, maxCount: 5000 });
      for (const event of page) foldRecorded(state, event);
      if (page.length < 5000) break;
      from = page[page.length - 1]!.revision + 1;
    }
    this.cache.set(stream, { kind, state, used: ++this.uses });
    if (this.cache.size > this.cacheSize) this.evict();
    return state;
  }

  /** Drops the least recently used tenth of the cache at once, so eviction's sort is paid once per many misses. */
  private evict(): void {
    const uses = [...this.cache.values()].map((c) => c.used).sort((a, b) => a - b);
    const cutoff = uses[Math.max(0, Math.floor(this.cacheSize / 10) - 1)] ?? 0;
    for (const [stream, cached] of this.cache) if (cached.used <= cutoff) this.cache.delete(stream);
  }

  /** Brings cached states up to date with events other writers appended since we last looked. */
  private async sync(): Promise<void> {
    const now = performance.now();
    if (now - this.lastSync < this.syncIntervalMs) return;
    this.lastSync = now;
    if (this.known === undefined || this.cache.size === 0) {
      this.known = await this.store.headPosition();
      return;
    }
    const head = await this.store.headPosition();
    if (head === this.known) return;
    if (head - this.known > 10_000) {
      // Far behind (a bulk import by another process): refolding on demand is cheaper than catching up.
      this.cache.clear();
      this.known = head;
      return;
    }
    for (;;) {
      const page = await this.store.readAll({ afterPosition: this.known, maxCount: 1000 });
      for (const event of page.events) {
        const cached = this.cache.get(event.stream);
        if (!cached || event.revision <= cached.state.revision) continue;
        if (event.revision === cached.state.revision + 1) foldRecorded(cached.state, event);
        else this.cache.delete(event.stream);
      }
      this.known = page.lastPosition;
      if (page.isEnd) return;
    }
  }
}

export function parseCommand(input: unknown): Command {
  const parsed = Command.safeParse(input);
  if (parsed.success) return parsed.data;
  // An unknown field is reported at the object that holds it; name the field itself instead.
  const issues = parsed.error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: [...issue.path, key].join('.'), message: `unknown field ${key}` }))
      : [{ path: issue.path.join('.') || '(command)', message: issue.message }],
  );
  throw new DomainError('invalid_command', `the command is malformed: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, { issues });
}

/** Folds a recorded event; an event type fundtrail does not know (another application's) is left out. */
export function foldRecorded(state: Tracked, event: RecordedEvent): void {
  const parsed = DomainEvent.safeParse({ type: event.type, data: event.data });
  if (!parsed.success) {
    if (DomainEvent.options.some((option) => option.shape.type.value === event.type)) {
      throw new Error(`recorded event ${event.id} (${event.type}) at ${event.stream}@${event.revision} does not match its schema`);
    }
    state.revision = event.revision;
    return;
  }
  const meta = event.metadata as Partial<EventMetadata>;
  evolve(state, { event: parsed.data, id: event.id, commandId: meta.commandId ?? event.id, effectiveDate: meta.effectiveDate ?? event.recordedAt.slice(0, 10), revision: event.revision });
}

function viewOf(loaded: Map<string, Tracked>): View {
  return {
    get<K extends StreamKind>(stream: string, kind: K): StateOf<K> {
      const state = loaded.get(stream);
      if (!state) throw new Error(`stream ${stream} was not loaded for this decision`);
      if (kindOfStream(stream) !== kind) throw new Error(`stream ${stream} is not a ${kind}`);
      return state as StateOf<K>;
    },
  };
}

function metadataFor(command: Command, ctx: ExecutionContext, ruleVersion: number): EventMetadata {
  return {
    commandId: command.id,
    commandType: command.type,
    actor: ctx.actor,
    role: ctx.role,
    ...(command.verifier ? { verifier: command.verifier } : {}),
    ...(command.documentNo ? { documentNo: command.documentNo } : {}),
    effectiveDate: command.effectiveDate,
    recordedAt: ctx.now,
    ruleVersion,
    ...(ctx.importBatch ? { importBatch: ctx.importBatch } : {}),
    correlationId: ctx.correlationId ?? command.id,
    causationId: ctx.causationId ?? command.id,
    ...(ctx.mode === 'historical' ? { historical: true } : {}),
  };
}

/** The first event of a command takes the command's id; the others ids derived from it, the same on every retry. */
export function eventId(commandId: string, index: number): string {
  if (index === 0) return commandId;
  const hex = createHash('sha256').update(`${commandId}/${index}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Fields of the retried command whose value differs from what was recorded under the same id. */
function differingCommandFields(command: Command, recorded: RecordedEvent): string[] {
  const meta = recorded.metadata as Partial<EventMetadata>;
  if (meta.commandType !== command.type) return ['type'];
  const data = recorded.data as Record<string, JsonValue>;
  const fields: string[] = [];
  if (meta.effectiveDate !== command.effectiveDate) fields.push('effectiveDate');
  if ((meta.documentNo ?? undefined) !== command.documentNo) fields.push('documentNo');
  for (const [key, value] of Object.entries(command)) {
    if (key === 'id' || key === 'type' || key === 'effectiveDate' || key === 'documentNo' || key === 'verifier' || key === 'lots' || !(key in data)) continue;
    if (canonicalJson(value as JsonValue) !== canonicalJson(data[key])) fields.push(key);
  }
  return fields;
}

function translate(error: unknown, command: Command): unknown {
  if (error instanceof EventIdConflictError) {
    return new DomainError('command_id_reused_with_different_content', `command id ${command.id} is already recorded for different content (${error.differingFields.join(', ')})`, { fields: error.differingFields });
  }
  return error;
}
