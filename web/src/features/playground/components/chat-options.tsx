import { ChevronDown, SlidersHorizontal } from "lucide-react";
import { useState } from "react";
import { cn } from "@/lib/utils";
import { Badge } from "@/components/ui/badge";
import { Input, Textarea } from "@/components/ui/input";
import { Field } from "@/components/ui/label";
import type { ChatOptionsErrors, ChatOptionsValue } from "../data/options";

/** System prompt, temperature and max tokens, folded away until asked for. */
export function ChatOptions({
  value,
  onChange,
  errors,
}: {
  value: ChatOptionsValue;
  onChange: (v: ChatOptionsValue) => void;
  errors: ChatOptionsErrors;
}) {
  const [open, setOpen] = useState(false);
  const hasErrors = !!(errors.temperature || errors.maxTokens);
  const expanded = open || hasErrors;
  const count = [value.system.trim(), value.temperature.trim(), value.maxTokens.trim()].filter(Boolean).length;
  return (
    <div className="rounded-lg border">
      <button
        type="button"
        className="flex w-full cursor-pointer items-center gap-2 rounded-lg px-3 py-2.5 text-left text-sm font-medium hover:bg-accent focus-visible:outline-2 focus-visible:outline-ring"
        aria-expanded={expanded}
        aria-controls="playground-options"
        onClick={() => setOpen(!expanded)}
      >
        <SlidersHorizontal className="size-4 text-muted-foreground" aria-hidden />
        Options
        {count > 0 && <Badge variant="secondary">{count} set</Badge>}
        <ChevronDown className={cn("ml-auto size-4 text-muted-foreground transition-transform", expanded && "rotate-180")} aria-hidden />
      </button>
      <div id="playground-options" hidden={!expanded} className="grid gap-4 border-t px-3 pb-4 pt-3">
        <Field id="playground-system" label="System prompt" hint="Instructions the model follows for the whole conversation.">
          <Textarea
            id="playground-system"
            value={value.system}
            onChange={(e) => onChange({ ...value, system: e.target.value })}
            placeholder="You are a helpful assistant."
            rows={3}
            aria-describedby="playground-system-hint"
          />
        </Field>
        <div className="grid grid-cols-2 gap-3">
          <Field id="playground-temperature" label="Temperature" error={errors.temperature} hint="0–2; higher is more varied.">
            <Input
              id="playground-temperature"
              type="number"
              inputMode="decimal"
              min={0}
              max={2}
              step={0.1}
              value={value.temperature}
              onChange={(e) => onChange({ ...value, temperature: e.target.value })}
              placeholder="Default"
              aria-invalid={!!errors.temperature}
              aria-describedby={errors.temperature ? "playground-temperature-error" : "playground-temperature-hint"}
            />
          </Field>
          <Field id="playground-max-tokens" label="Max tokens" error={errors.maxTokens} hint="Longest answer allowed.">
            <Input
              id="playground-max-tokens"
              type="number"
              inputMode="numeric"
              min={1}
              step={1}
              value={value.maxTokens}
              onChange={(e) => onChange({ ...value, maxTokens: e.target.value })}
              placeholder="Default"
              aria-invalid={!!errors.maxTokens}
              aria-describedby={errors.maxTokens ? "playground-max-tokens-error" : "playground-max-tokens-hint"}
            />
          </Field>
        </div>
      </div>
    </div>
  );
}
