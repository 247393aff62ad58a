export { createMemoryDoorbell, createRedisDoorbell, REDIS_DOORBELL_NAMESPACE } from './doorbell.ts';
export type { Doorbell, Listening, RedisDoorbellOptions } from './doorbell.ts';
export { formatEvent, serveEventStream } from './event-stream.ts';
export type { EventStreamOptions, StreamEvent } from './event-stream.ts';
