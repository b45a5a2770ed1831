import { useEffect, useState } from "react";

/**
 * The time now (ms since the epoch) for what a page shows relative to it ("expired", "3 minutes
 * ago"): read when the component mounts and again every `everyMs`, never during a render, so
 * rendering stays pure.
 */
export function useNow(everyMs = 60_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
