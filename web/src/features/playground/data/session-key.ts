// The playground's session key: rather than asking for a pasted secret (the server keeps only
// key hashes, so the secrets of the user's saved keys cannot be shown again), the dashboard makes
// a key of the user's own that expires in an hour (POST /api/keys with expires_at), keeps its
// secret in this tab's memory only, and makes a new one when it is about to expire or has been
// refused. It is listed on the Keys page as "Playground session" until it expires; expired ones
// are deleted when the next one is made. Its requests are billed and logged like any other key's.
import { api, call } from "@/lib/api";

export const SESSION_KEY_NAME = "Playground session";
const LIFETIME_MS = 60 * 60 * 1000;
/** A key this close to its expiry is replaced rather than used. */
const MARGIN_MS = 2 * 60 * 1000;

type Held = { secret: string; expiresAt: number };
let held: Held | null = null;
let pending: Promise<string> | null = null;

/** The session key's secret, made on first use (one request at a time shares one mint). */
export function sessionKey(now = Date.now()): Promise<string> {
  if (held && held.expiresAt - now > MARGIN_MS) return Promise.resolve(held.secret);
  pending ??= (async () => {
    try {
      const expiresAt = now + LIFETIME_MS;
      const made = await call(() => api.POST("/api/keys", { body: { name: SESSION_KEY_NAME, expires_at: new Date(expiresAt).toISOString() } }));
      held = { secret: made.secret, expiresAt };
      void forgetExpiredSessionKeys(now);
      return made.secret;
    } finally {
      pending = null;
    }
  })();
  return pending;
}

/**
 * Deletes the user's session keys that have expired, so that a key is not left on the Keys page
 * (and counted against the keys a user may have) for every tab that ever chatted. Best effort: a
 * failure leaves them for the next mint.
 */
export async function forgetExpiredSessionKeys(now = Date.now()): Promise<number> {
  try {
    const { keys } = await call(() => api.GET("/api/keys"));
    const expired = keys.filter(
      (k) => k.name === SESSION_KEY_NAME && k.expires_at != null && Date.parse(k.expires_at) <= now,
    );
    for (const k of expired) await call(() => api.DELETE("/api/keys/{id}", { params: { path: { id: k.id } } }));
    return expired.length;
  } catch {
    return 0;
  }
}

/** Forgets the session key (the gateway refused it, it was deleted or disabled): the next use makes a new one. */
export function dropSessionKey(secret?: string) {
  if (!secret || held?.secret === secret) held = null;
}
