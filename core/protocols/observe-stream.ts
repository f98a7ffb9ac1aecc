// Watching a response stream without changing it. Wrapping `events` in a generator of one's own
// would make egress serialise every event anew (a wrapper might have changed them); an observer
// only reads, so a stream whose bytes were going to the client untouched still does.
import { isUntouchedStream, markUntouchedStream } from './raw-json.js';
import type { StreamEvent } from './types.js';

export interface StreamObserver {
  /** Sees each event before it goes on. Must not change it; an exception is ignored. */
  event(ev: StreamEvent): void;
  /** Called once when the stream is over: `complete` is false when it was cut (client gone, error). */
  end(complete: boolean): void;
}

export function observeStream(events: AsyncIterable<StreamEvent>, observer: StreamObserver): AsyncIterable<StreamEvent> {
  const watched = (async function* () {
    let complete = false;
    try {
      for await (const ev of events) {
        try { observer.event(ev); } catch { /* an observer never breaks the client's stream */ }
        yield ev;
      }
      complete = true;
    } finally {
      try { observer.end(complete); } catch { /* as above */ }
    }
  })();
  return isUntouchedStream(events) ? markUntouchedStream(watched) : watched;
}
