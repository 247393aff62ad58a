/**
 * @module bench/lib/loopback
 *
 * Binds a Fastify instance to an ephemeral port on 127.0.0.1 and wraps it as a
 * `ListeningTarget`. Benchmarks never listen anywhere else: the load stays on the loopback
 * interface and two runs cannot collide on a fixed port.
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { ListeningTarget } from './types.ts';

export const LOOPBACK_HOST = '127.0.0.1';

/** `cleanup` runs after the app has closed (e.g. removing temporary files). */
export async function listenOnLoopback(app: FastifyInstance, cleanup?: () => Promise<void>): Promise<ListeningTarget> {
  await app.listen({ host: LOOPBACK_HOST, port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `http://${LOOPBACK_HOST}:${port}`,
    close: async () => {
      await app.close();
      await cleanup?.();
    },
  };
}
