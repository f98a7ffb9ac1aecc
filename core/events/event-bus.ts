// Gateway events: what one plugin observes and another delivers (the ratelimit plugin's budget
// events reach operators through auth's lifecycle hooks), without plugins importing each other.
// Delivery is synchronous and in-process; a listener queues its own slow work (webhooks).
import { randomUUID } from 'node:crypto';
import type { JsonObject } from '../protocols/types.js';

export interface GatewayEvent {
  /** Unique per event: receivers use it to drop a delivery they already processed. */
  readonly id: string;
  /** Dotted name, e.g. "key.revoked", "budget.warning". */
  readonly type: string;
  /** ISO 8601 time the event happened. */
  readonly time: string;
  /** Never a secret: keys appear only as their public id. */
  readonly data: JsonObject;
}

export type GatewayEventListener = (event: GatewayEvent) => void;

export interface GatewayEvents {
  /** Hands the event to every listener; never throws, never waits. Returns the event sent. */
  emit(type: string, data: JsonObject): GatewayEvent;
  /** Calls `listener` for every event emitted from now on; returns the unsubscribe. */
  subscribe(listener: GatewayEventListener): () => void;
}

export function createGatewayEvents(onListenerError: (type: string, err: Error) => void): GatewayEvents {
  const listeners = new Set<GatewayEventListener>();
  return {
    emit(type, data) {
      const event: GatewayEvent = { id: randomUUID(), type, time: new Date().toISOString(), data };
      for (const listener of listeners) {
        try { listener(event); } catch (err) { onListenerError(type, err as Error); }
      }
      return event;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => { listeners.delete(listener); };
    },
  };
}
