import { Check, Copy } from "lucide-react";
import { useState } from "react";
import { Button, type ButtonProps } from "./button";

/** Copies `value` to the clipboard; the icon turns into a check for a moment. */
export function CopyButton({ value, label = "Copy", showLabel = false, ...props }: { value: string; label?: string; showLabel?: boolean } & ButtonProps) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
    } catch {
      // Non-secure contexts have no clipboard API: fall back to a hidden textarea.
      const ta = document.createElement("textarea");
      ta.value = value;
      ta.style.position = "fixed";
      ta.style.opacity = "0";
      document.body.appendChild(ta);
      ta.select();
      document.execCommand("copy");
      ta.remove();
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };
  return (
    <Button variant="outline" size={showLabel ? "sm" : "icon"} onClick={copy} aria-label={label} {...props}>
      {copied ? <Check className="text-success" /> : <Copy />}
      {showLabel && (copied ? "Copied" : label)}
    </Button>
  );
}
