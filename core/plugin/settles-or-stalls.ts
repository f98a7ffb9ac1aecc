// A plugin's start() that can never finish must fail start-up, not end the process quietly.

/**
 * `work`, or a rejection if the event loop empties while it is pending: nothing can ever settle it
 * then (a start() awaiting an event no timer, socket or callback will bring), and Node would exit 0
 * without a word and without listening.
 */
export async function settlesOrStalls(work: void | Promise<void>): Promise<void> {
  if (typeof (work as PromiseLike<void> | undefined)?.then !== 'function') return;
  let stalled: (() => void) | undefined;
  const never = new Promise<never>((_, reject) => {
    stalled = () => reject(new Error('its start() never settled: it awaits something no timer, socket or callback will ever resolve'));
  });
  process.once('beforeExit', stalled!);
  try {
    await Promise.race([work, never]);
  } finally {
    process.off('beforeExit', stalled!);
  }
}
