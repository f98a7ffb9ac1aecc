// Waiting for a condition in a test: polled, with a deadline that says what did not happen.

export const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves once `test` holds; throws `not within MS ms: WHAT` past the deadline. */
export async function until(what: string, test: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!await test()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await pause(50);
  }
}
