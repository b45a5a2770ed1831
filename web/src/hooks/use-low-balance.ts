// The low-balance alert threshold (micro-USD) the user set on the Settings page, kept in this
// browser's localStorage per user id; the header shows an alert while the balance is below it.
import { useSyncExternalStore } from "react";

const listeners = new Set<() => void>();
const storageKey = (userId: number) => `turnpike.low-balance-alert.${userId}`;

function subscribe(l: () => void) {
  listeners.add(l);
  window.addEventListener("storage", l);
  return () => {
    listeners.delete(l);
    window.removeEventListener("storage", l);
  };
}

export function readLowBalanceThreshold(userId: number): number | null {
  try {
    const v = window.localStorage.getItem(storageKey(userId));
    const n = v === null ? NaN : Number(v);
    return Number.isSafeInteger(n) && n > 0 ? n : null;
  } catch {
    return null;
  }
}

/** Sets (micro-USD above zero) or clears (null) the threshold. */
export function setLowBalanceThreshold(userId: number, micros: number | null) {
  try {
    if (micros === null) window.localStorage.removeItem(storageKey(userId));
    else window.localStorage.setItem(storageKey(userId), String(micros));
  } catch {
    // Storage refused (private mode): the alert simply stays off.
  }
  for (const l of listeners) l();
}

export function useLowBalanceThreshold(userId: number): number | null {
  return useSyncExternalStore(subscribe, () => readLowBalanceThreshold(userId));
}
