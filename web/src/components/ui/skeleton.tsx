import type { HTMLAttributes } from "react";
import { cn } from "@/lib/utils";

/** A placeholder with the size of what will load, so nothing shifts when it arrives. */
export function Skeleton({ className, ...props }: HTMLAttributes<HTMLDivElement>) {
  return <div aria-hidden className={cn("animate-pulse rounded-md bg-muted", className)} {...props} />;
}
