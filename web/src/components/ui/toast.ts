// Toasts: `toast.success("Key created")` from anywhere; <Toaster /> (toaster.tsx) shows them.
import { useSyncExternalStore } from "react";

export type ToastItem = { id: number; kind: "success" | "error" | "info"; title: string; description?: string };

let items: ToastItem[] = [];
let nextId = 1;
const listeners = new Set<() => void>();
const emit = () => listeners.forEach((l) => l());

function push(kind: ToastItem["kind"], title: string, description?: string) {
  const id = nextId++;
  items = [...items.slice(-3), { id, kind, title, description }];
  emit();
  setTimeout(() => dismissToast(id), kind === "error" ? 8000 : 4000);
}

export function dismissToast(id: number) {
  items = items.filter((t) => t.id !== id);
  emit();
}

export const toast = {
  success: (title: string, description?: string) => push("success", title, description),
  error: (title: string, description?: string) => push("error", title, description),
  info: (title: string, description?: string) => push("info", title, description),
};

/** The toasts showing now (the last four); re-renders when one comes or goes. */
export function useToasts(): ToastItem[] {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => items,
  );
}
