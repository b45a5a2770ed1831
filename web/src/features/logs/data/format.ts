/** The exact local time of a request, to the second, with the time zone. */
export function exactTime(iso: string, weekday = false): string {
  return new Date(iso).toLocaleString(undefined, {
    ...(weekday ? { weekday: "short" as const } : {}),
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    timeZoneName: "short",
  });
}
