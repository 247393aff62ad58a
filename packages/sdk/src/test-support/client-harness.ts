/**
 * @module test-support/client-harness
 *
 * Wires a `PortcullisClient` to a fresh {@link TestServer} fixture with in-memory stores and a
 * controllable clock shared by both (so proof `iat` checks and token expiry move together).
 * Test-only.
 */
import { PortcullisClient } from '../portcullis-client.ts';
import type { PortcullisClientOptions } from '../client-options.ts';
import { MemoryDpopKeyStore } from '../dpop/key-store.ts';
import { MemoryTokenStore } from '../storage/token-store.ts';
import { TestServer, type TestServerOptions } from './test-server.ts';

export const EMAIL = 'ada@example.com';
export const PASSWORD = 'correct horse battery staple';
export const DEVICE = { label: 'Test laptop', platform: 'web' } as const;

/** A clock tests move by hand. Starts at a fixed instant. */
export class TestClock {
  #now = Date.parse('2030-01-01T00:00:00Z');

  now(): number {
    return this.#now;
  }

  advance(seconds: number): void {
    this.#now += seconds * 1000;
  }
}

export interface Harness {
  readonly server: TestServer;
  readonly client: PortcullisClient;
  readonly tokenStore: MemoryTokenStore;
  readonly keyStore: MemoryDpopKeyStore;
  readonly clock: TestClock;
  /** Signs in as {@link EMAIL}. */
  readonly signIn: () => ReturnType<PortcullisClient['signIn']>;
}

const running = new Set<TestServer>();

/** Starts a fixture with one verified account, and a client pointed at it. */
export async function startHarness(
  options: { server?: TestServerOptions; client?: Partial<PortcullisClientOptions> } = {},
): Promise<Harness> {
  const clock = new TestClock();
  const server = await TestServer.start({ now: () => clock.now(), ...options.server });
  running.add(server);
  server.addAccount(EMAIL, PASSWORD);
  const tokenStore = new MemoryTokenStore();
  const keyStore = new MemoryDpopKeyStore();
  const client = new PortcullisClient({ baseUrl: server.url, tokenStore, keyStore, clock, ...options.client });
  return { server, client, tokenStore, keyStore, clock, signIn: () => client.signIn({ email: EMAIL, password: PASSWORD, device: DEVICE }) };
}

/** Closes every fixture started by {@link startHarness} (call from `afterEach`). */
export async function closeHarnesses(): Promise<void> {
  const servers = [...running];
  running.clear();
  await Promise.all(servers.map((server) => server.close()));
}

/** The rejection of `promise`, failing when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}
