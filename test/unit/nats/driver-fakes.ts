import type { Message } from '../../../src/consensus/messages';
import type { DriverStorage, DriverTransport } from '../../../src/infra/nats/replica-driver';

/** Delivers what the test hands it, as the protocol transport would. */
export class ScriptedTransport implements DriverTransport {
  private onMessage: ((m: Message) => void) | undefined;
  start(onMessage: (m: Message) => void): void {
    this.onMessage = onMessage;
  }
  send(): void {}
  close(): void {}
  /** Hands a message to the driver; what its handler throws comes back to the caller (the transport would swallow it). */
  deliver(m: Message): void {
    this.onMessage?.(m);
  }
}

/** Storage with nothing stored: a fresh acceptor (the scripted tests of the same paths run on MySQL). */
export const emptyStorage: DriverStorage = {
  load: async () => ({ promised: { round: 0, nodeId: '' }, accepted: [], chosenWatermark: 0 }),
  persist: async () => undefined,
  readChosen: async () => [],
};
