// Detection kept current in the server: the detector follows the log like the projection runner (history, then
// live), and findings are computed when asked, once per log position, so repeated reads cost nothing.
import { Detector } from '../../projections/findings/engine.js';
import { ALL_RULES } from '../../projections/findings/rules/index.js';
import type { Finding } from '../../projections/findings/types.js';
import type { ProjectedEvent } from '../../projections/types.js';
import type { Logger } from '../logger.js';
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
    this.subscription = this.store.subscribeToAll({ afterPosition: 0, batchSize: 2000 });
    const subscription = this.subscription;
    this.loop = (async () => {
      for await (const message of subscription) {
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
    })().catch((error: unknown) => this.logger?.error({ err: error }, 'detection stopped following the log'));
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
    await this.subscription?.close();
    await this.loop;
  }
}
