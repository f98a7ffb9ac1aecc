// Waiting for a database call at most so long: the ledger gives up on a write, a batch of the
// retention, a close, without cancelling what it waited for (a late commit is harmless).

/** Whether `p` settles (either way) within `ms`. The caller keeps `p` for its value or its error. */
export async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p.then(() => true, () => true), new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), ms); })]);
  } finally {
    clearTimeout(timer);
  }
}
