// Detection kept current in the server: the detector follows the log like the projection runner (history, then
// live), and findings are computed when asked, once per log position, so repeated reads cost nothing.
import { Detector } from '../../projections/findings/engine.js';
import { ALL_RULES } from '../../projections/findings/rules/index.js';
import type { Finding } from '../../projections/findings/types.js';
import type { ProjectedEvent } from '../../projections/types.js';
import type { Logger } from '../logger.js';
import { history } from '../projections/log.js';
import type { EventStore, Subscription } from '../store/types.js';

export class LiveDetector {
  private readonly detector = new Detector(ALL_RULES);
  private subscription: Subscription | undefined;
  private loop: Promise<void> | undefined;
  private position = 0;
  private caughtUp = false;
  private cache: { position: number; findings: Finding[] } | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly logger?: Logger,
  ) {}

  start(): void {
    this.loop = this.run().catch((error: unknown) => this.logger?.error({ err: error }, 'detection stopped following the log'));
  }

  private stopping = false;

  /** History through the fold's log reader (a page at a time, with a turn for the event loop between pages), then live. */
  private async run(): Promise<void> {
    for await (const events of history(this.store, 0)) {
      for (const event of events) {
        this.detector.apply(event);
        this.position = event.position;
      }
      if (this.stopping) break;
    }
    if (this.stopping) return;
    this.subscription = this.store.subscribeToAll({ afterPosition: this.position, batchSize: 2000 });
    for await (const message of this.subscription) {
      if (message.kind === 'caught_up') {
        this.caughtUp = true;
        continue;
      }
      this.caughtUp = false;
      for (const event of message.events) {
        this.detector.apply(event as unknown as ProjectedEvent);
        this.position = event.position;
      }
    }
  }

  /** The findings as of the last event folded; recomputed only when the log has moved. */
  findings(): Finding[] {
    if (!this.cache || this.cache.position !== this.position) this.cache = { position: this.position, findings: this.detector.findings() };
    return this.cache.findings;
  }

  status(): { name: string; position: number; caughtUp: boolean } {
    return { name: 'findings', position: this.position, caughtUp: this.caughtUp };
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.subscription?.close();
    await this.loop;
  }
}
