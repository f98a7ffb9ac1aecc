// A wait that ends early when the request is aborted (the client left, the shutdown cut it): a
// retry's backoff must not hold a request nobody is waiting for.
import { RequestAbort, type AbortLike } from './abort.js';

/** Resolves after `ms`, or as soon as `abort` fires (at once if it already has). Never rejects. */
export function waitUnlessAborted(ms: number, abort: AbortLike): Promise<void> {
  if (abort.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      if (abort instanceof RequestAbort) abort.removeListener('abort', done);
      else abort.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    if (abort instanceof RequestAbort) abort.on('abort', done);
    else abort.addEventListener('abort', done, { once: true });
  });
}
