import { Badge } from "@/components/ui/badge";
import { statusText, statusTone } from "../data/filters";

/** The HTTP status, green for 2xx, amber for 4xx, red for 5xx. */
export function StatusBadge({ status, long = false }: { status: number; long?: boolean }) {
  const text = statusText(status);
  return (
    <Badge variant={statusTone(status)} className="tabular-nums" title={text || undefined}>
      {status}
      {long && text && <span className="font-normal">{text}</span>}
    </Badge>
  );
}
