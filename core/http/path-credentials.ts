// Every request's path is logged (unmatched and admin requests) and handed to plugins (the ledger
// stores it). A credential pasted into a path — an admin call naming a key by the whole key
// (`/admin/keys/sk-sluice-…`, which the admin API accepts), a client that put its key where a model
// goes — must not end up there. Key-shaped runs are cut to what is public: a Sluice key to its
// prefix and id (the id listings, logs and events show), any other `sk-…` / Google `AIza…` key to
// its prefix.
const KEY_SHAPED = /(sk-sluice-[0-9A-Za-z]{8})[0-9A-Za-z]{24,}|(sk-)[A-Za-z0-9_-]{16,}|(AIza)[0-9A-Za-z_-]{30,}/g;

export function maskPathCredentials(path: string): string {
  // Most paths hold neither prefix: one scan each, no regex run.
  if (!path.includes('sk-') && !path.includes('AIza')) return path;
  return path.replace(KEY_SHAPED, (_m, sluice: string | undefined, sk: string | undefined, google: string | undefined) => `${sluice ?? sk ?? google}…`);
}

/** True when `text` holds a key-shaped run: an id (request, session) that is a key is not echoed anywhere. */
export function holdsKey(text: string): boolean {
  return maskPathCredentials(text) !== text;
}
