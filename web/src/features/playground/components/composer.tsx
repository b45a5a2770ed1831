import { ArrowUp, Square } from "lucide-react";
import type { FormEvent, KeyboardEvent } from "react";
import { Button } from "@/components/ui/button";
import { Textarea } from "@/components/ui/input";
import { Label } from "@/components/ui/label";

/** The message box: Enter sends, Shift+Enter starts a new line; Stop while an answer streams. */
export function Composer({
  value,
  onChange,
  onSend,
  onStop,
  streaming,
}: {
  value: string;
  onChange: (v: string) => void;
  onSend: () => void;
  onStop: () => void;
  streaming: boolean;
}) {
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!streaming) onSend();
  };
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      if (!streaming) onSend();
    }
  };
  return (
    <form onSubmit={submit} className="border-t bg-card p-3 sm:p-4">
      <Label htmlFor="playground-message" className="sr-only">
        Message
      </Label>
      <div className="flex items-end gap-2">
        <Textarea
          id="playground-message"
          value={value}
          onChange={(e) => onChange(e.target.value)}
          onKeyDown={onKeyDown}
          placeholder="Write a message…"
          rows={1}
          className="max-h-40 min-h-10 resize-none [field-sizing:content]"
          aria-describedby="playground-message-hint"
        />
        {streaming ? (
          <Button type="button" variant="outline" onClick={onStop} className="h-10 shrink-0">
            <Square className="fill-current" aria-hidden />
            Stop
          </Button>
        ) : (
          <Button type="submit" className="h-10 shrink-0" disabled={value.trim() === ""}>
            <ArrowUp aria-hidden />
            Send
          </Button>
        )}
      </div>
      <p id="playground-message-hint" className="mt-1.5 hidden text-xs text-muted-foreground sm:block">
        Enter sends · Shift+Enter adds a new line
      </p>
    </form>
  );
}
