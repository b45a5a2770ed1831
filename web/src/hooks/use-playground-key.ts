// The playground's API key secret, held only in this tab's memory (never stored): the server
// keeps only key hashes, so the user supplies the secret, or the Keys page hands it over. Shared
// by the Keys page (which sets it) and the playground (which reads it).
import { useSyncExternalStore } from "react";

let key: string | null = null;
const listeners = new Set<() => void>();

export function setPlaygroundKey(k: string | null) {
  key = k;
  for (const l of listeners) l();
}

export function getPlaygroundKey() {
  return key;
}

/** Calls `listener` whenever the key changes; returns the unsubscribe function. */
export function subscribePlaygroundKey(listener: () => void): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

/** The key secret, as the store holds it ("" when there is none); re-renders when it changes. */
export function usePlaygroundKey(): string {
  return useSyncExternalStore(subscribePlaygroundKey, () => getPlaygroundKey() ?? "");
}
