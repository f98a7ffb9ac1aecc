// A storage connection that could not be made. Drivers say `connect ECONNREFUSED 127.0.0.1:5432` or
// `database "x" does not exist` and nothing of which setting or server they meant; this error says
// both (with any password in the URL masked) and keeps the driver's code and error as its `code` and
// `cause`, so a caller that sorts failures by code (auth's "unreachable" exit 2) still can.

/** A password in a URL never reaches a log line or the terminal. */
const MASK = '***';

/**
 * Query parameters that carry credentials: `?password=` (PostgreSQL), `?key=` (Google's APIs take
 * the API key there), `?api_key=`, `?token=`, `?access_token=`, signed-URL `?sig=`…
 */
const SECRET_PARAM = /pass|secret|token|key|sig|auth|credential/i;
const SECRET_PARAM_IN_TEXT = /([?&][^=&"\s]*(?:pass|secret|token|key|sig|auth|credential)[^=&"\s]*=)[^&"#\s]*/gi;

/** `url` with the password (`user:PASSWORD@`, or a secret query parameter) replaced by `***`; other text as given. */
export function maskUrl(url: string): string {
  // `sqlite:./data/sluice.db` has no authority and so nothing secret.
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return maskSecretParams(url);
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = MASK;
    for (const key of [...parsed.searchParams.keys()]) if (SECRET_PARAM.test(key)) parsed.searchParams.set(key, MASK);
    return parsed.toString();
  } catch {
    // Not a URL the WHATWG parser takes: mask what sits between the user name and the last `@`.
    return maskSecretParams(url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/:@]*):[^/]*@/i, `$1:${MASK}@`));
  }
}

/** Text (a message quoting something URL-like) with the values of secret query parameters replaced by `***`. */
export function maskSecretParams(text: string): string {
  return text.replace(SECRET_PARAM_IN_TEXT, `$1${MASK}`);
}

export class StorageConnectionError extends Error {
  /** The driver's code (ECONNREFUSED, ENOTFOUND, 3D000, 28P01, SQLITE_CANTOPEN…), when it gave one. */
  readonly code: string | undefined;

  constructor(
    /** The config setting whose connection failed: `storage.database`. */
    readonly setting: string,
    /** The URL with its password masked. */
    readonly url: string,
    /** Why, in the driver's words: a socket error's code, or the server's or file system's message. */
    readonly reason: string,
    cause: unknown,
    code: string | undefined,
  ) {
    const verb = url.startsWith('sqlite:') ? 'cannot open' : 'cannot connect to';
    super(/^E[A-Z]+$/.test(reason) ? `${verb} ${url} (${reason})` : `${verb} ${url}: ${reason}`, { cause });
    this.name = 'StorageConnectionError';
    this.code = code;
  }
}

/**
 * True for a StorageConnectionError, also one made by a second copy of this module (a module loaded
 * by both `import` and `require` is two modules, and instanceof would miss).
 */
export function isStorageConnectionError(err: unknown): err is StorageConnectionError {
  return err instanceof Error && err.name === 'StorageConnectionError' && typeof (err as { setting?: unknown }).setting === 'string';
}

/** `err`, a failure to connect to (or open) `url` for `setting`, as a StorageConnectionError. */
export function connectionFailure(err: unknown, setting: string, url: string): StorageConnectionError {
  if (isStorageConnectionError(err)) return err;
  const e = (err ?? {}) as { code?: unknown; message?: unknown; syscall?: unknown };
  const code = typeof e.code === 'string' ? e.code : undefined;
  // The first line only: some drivers' messages carry a stack or a hint paragraph.
  const message = (typeof e.message === 'string' ? e.message : String(err)).split('\n')[0]!.trim();
  // A socket's code says all there is to say (Node's message only repeats the address, which the
  // URL already shows); an AggregateError (a host name with several addresses) has no message at all.
  // A file system error's message names the path, so it stays.
  const socket = e.syscall === 'connect' || e.syscall === 'getaddrinfo' || message === '';
  let reason: string;
  if (code && /^E[A-Z]+$/.test(code) && socket) reason = code;
  else reason = message && code && !message.includes(code) ? `${message} (${code})` : message || code || 'unknown error';
  return new StorageConnectionError(setting, maskUrl(url), reason, err, code);
}
