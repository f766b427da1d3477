// The shape every command handler has: which streams it writes and reads, and a pure decide.
import type { CommandOf, CommandType } from '../commands.js';
import type { DomainEvent } from '../events.js';
import type { Guard } from '../guard.js';
import type { RuleParameters } from '../rules.js';
import type { StateOf, StreamKind } from '../state.js';

export interface Emit {
  stream: string;
  events: DomainEvent[];
}

/** The loaded states a decision may look at. Asking for a stream that was not loaded is a programming error. */
export interface View {
  get<K extends StreamKind>(stream: string, kind: K): StateOf<K>;
}

export interface DecideContext {
  guard: Guard;
  rules: RuleParameters;
  mode: 'live' | 'historical';
}

export interface Handler<T extends CommandType> {
  /** Streams the decision appends to; the first is the primary, whose state recognises a retried command. */
  writes(command: CommandOf<T>): string[];
  /** Streams read for looked-up facts (registries, the household paid, the plan, the project). */
  reads(command: CommandOf<T>): string[];
  /** Streams that only the first loaded states reveal (a reversal's other side); read and written. */
  more?(command: CommandOf<T>, view: View): string[];
  decide(command: CommandOf<T>, view: View, ctx: DecideContext): Emit[];
}

export type Handlers = { [T in CommandType]: Handler<T> };
