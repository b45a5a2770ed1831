import type { InputHTMLAttributes } from "react";
import { cn } from "@/lib/utils";
import { Input } from "./input";

/** A text input for an amount in US dollars, with a "$" before it (hidden from screen readers: the label says USD). */
export function UsdInput({ className, ...props }: InputHTMLAttributes<HTMLInputElement>) {
  return (
    <div className="relative">
      <span className="pointer-events-none absolute inset-y-0 left-3 flex items-center text-sm text-muted-foreground" aria-hidden>
        $
      </span>
      <Input inputMode="decimal" className={cn("pl-6 tabular-nums", className)} {...props} />
    </div>
  );
}
