import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withFresh } from './harness';
import { TransientError } from '../../../shared/errors';
import type { DeviceSessions } from '../../../shared/ports/device-sessions';
import { until } from '../wait';

/** One device connection as the agent holds it: persistent session, subscribed to its commands. */
export interface DeviceConnection {
  /** Payloads of the commands it has received, in arrival order. */
  received: string[];
  /** Resolves when the broker closed the connection (or it was ended). */
  closed: Promise<void>;
  isOpen(): boolean;
  /** Subscribes to its commands again (a client whose persistent session was dropped). */
  resubscribe(): Promise<void>;
  end(): Promise<void>;
}

/** One DeviceSessions implementation and the real broker whose sessions it is about. */
export interface DeviceSessionsHarness {
  sessions: DeviceSessions;
  /** Connects `deviceId` with its credential, `clean: false`, and subscribes to its commands (QoS 1). */
  connectDevice(deviceId: string): Promise<DeviceConnection>;
  /**
   * Starts connecting `deviceId` and holds its CONNECT after the broker checked the credential: resolves once it is
   * held; `release` lets it through, `connection` is the admitted connection (or rejects when refused).
   */
  connectDeviceHeld(deviceId: string): Promise<{ release(): void; connection: Promise<DeviceConnection> }>;
  /** Publishes a command (QoS 1) on one of `deviceId`'s command topics, as the functions do. */
  sendCommand(deviceId: string, text: string): Promise<void>;
  close(): Promise<void>;
}

/** What an implementation can do, as the port's return value says it: asserted each way, never skipped. */
export interface DeviceSessionsContractOptions {
  /** true: `end` ends the sessions and resolves true (the local broker); false: it cannot, resolves false, and nothing is ended (Azure). */
  ends: boolean;
  /**
   * The same implementation with its broker unreachable, for `@throws TransientError`; or why that cannot happen to
   * it (then there is no such test for it: a test that cannot fail is not written, nor reported as skipped).
   */
  unreachable: (() => Promise<DeviceSessions>) | { notApplicable: string };
}

const within = <T>(p: Promise<T>, ms: number, what: string) => Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms))]);
/** Each test's limit: a broker that stops serving the harness's own clients must fail the test, not hang it. */
const TEST = { timeout: 30_000 };
/** How long a connection that should stay open is watched. */
const STAYS_OPEN_MS = 500;

/**
 * The DeviceSessions port's contract (shared/ports/device-sessions.ts) against a real broker: `end` resolves `ends`;
 * when true, the device's open connection is closed, a connection authenticated meanwhile is closed once ready,
 * `rotated` keeps its persistent session (commands queued meanwhile arrive when it connects with its new credential)
 * and `revoked` drops it (nothing sent after reaches it); when false, nothing is touched and commands keep arriving.
 * Either way, no other device is touched and ending a device without sessions is harmless. `factory` runs once per test.
 */
export function describeDeviceSessionsContract(name: string, factory: () => Promise<DeviceSessionsHarness>, options: DeviceSessionsContractOptions): void {
  describe(`DeviceSessions contract: ${name}`, () => {
    const withHarness = (run: (h: DeviceSessionsHarness) => Promise<void>) => withFresh(factory, run);
    /** The connection stayed open and still receives a command sent now. */
    async function stillServed(h: DeviceSessionsHarness, deviceId: string, c: DeviceConnection, text: string): Promise<void> {
      await new Promise((r) => setTimeout(r, STAYS_OPEN_MS));
      assert.ok(c.isOpen(), `${deviceId}'s connection is still open`);
      await h.sendCommand(deviceId, text);
      await until(`${text} at ${deviceId}`, 5000, () => c.received.includes(text));
    }

    it(`ending a device without sessions resolves ${options.ends}, for either reason, again and again`, TEST, () =>
      withHarness(async (h) => {
        for (const reason of ['rotated', 'revoked', 'revoked'] as const) assert.equal(await h.sessions.end('dev-none', reason), options.ends);
      }));

    it(`rotated: ${options.ends ? 'closes the connection now; the persistent session keeps what is sent meanwhile' : 'resolves false and the connection keeps being served'}; other devices untouched`, TEST, () =>
      withHarness(async (h) => {
        const a = await h.connectDevice('dev-a');
        const b = await h.connectDevice('dev-b');
        assert.equal(await h.sessions.end('dev-a', 'rotated'), options.ends);
        if (options.ends) {
          await within(a.closed, 5000, "dev-a's connection closed");
          await h.sendCommand('dev-a', 'queued-while-away');
          const again = await h.connectDevice('dev-a');
          await until('the queued command at the new connection', 5000, () => again.received.includes('queued-while-away'));
          assert.deepEqual(a.received, [], 'the ended connection received nothing');
        } else {
          await stillServed(h, 'dev-a', a, 'after-rotation');
        }
        await stillServed(h, 'dev-b', b, 'for-b');
      }));

    it(`revoked: ${options.ends ? 'closes the connection now and drops its persistent session: nothing sent after reaches it' : 'resolves false and the connection keeps being served'}`, TEST, () =>
      withHarness(async (h) => {
        const a = await h.connectDevice('dev-a');
        assert.equal(await h.sessions.end('dev-a', 'revoked'), options.ends);
        if (options.ends) {
          await within(a.closed, 5000, "dev-a's connection closed");
          await h.sendCommand('dev-a', 'after-revocation');
          const again = await h.connectDevice('dev-a');
          await again.resubscribe();
          await h.sendCommand('dev-a', 'marker');
          await until('the marker', 5000, () => again.received.includes('marker'));
          assert.deepEqual(again.received, ['marker'], 'nothing queued for the revoked session');
        } else {
          await stillServed(h, 'dev-a', a, 'after-revocation');
        }
      }));

    it(`a connection whose credential was checked before the end ${options.ends ? 'is closed as soon as it is ready' : 'is admitted and served'}`, TEST, () =>
      withHarness(async (h) => {
        const held = await h.connectDeviceHeld('dev-a');
        assert.equal(await h.sessions.end('dev-a', 'rotated'), options.ends);
        held.release();
        const late = await held.connection;
        if (options.ends) await within(late.closed, 5000, 'the late connection closed');
        else await stillServed(h, 'dev-a', late, 'for-the-late-one');
      }));

    const down = options.unreachable;
    if (!('notApplicable' in down)) {
      it('an unreachable broker makes end a TransientError', async () => {
        await assert.rejects((await down()).end('dev-a', 'rotated'), (err: unknown) => err instanceof TransientError);
      });
    }
  });
}
