import { useState } from "react";
import { Button } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";
import { promptView } from "../data/detail";

const block = "max-h-96 overflow-auto whitespace-pre-wrap break-words rounded-md border bg-muted/50 p-3 font-mono text-xs leading-relaxed";

/** The logged request body, read as chat messages when it is one; the raw JSON on demand. */
export function PromptBlock({ raw }: { raw: string }) {
  const view = promptView(raw);
  const [showRaw, setShowRaw] = useState(false);
  return (
    <div className="grid gap-2">
      <div className="flex items-center justify-end gap-2">
        {view.kind === "messages" && (
          <Button variant="ghost" size="sm" aria-pressed={showRaw} onClick={() => setShowRaw((v) => !v)}>
            {showRaw ? "Show messages" : "Show raw request"}
          </Button>
        )}
        <CopyButton value={raw} label="Copy prompt" showLabel />
      </div>
      {view.kind === "messages" && !showRaw ? (
        <ol className="grid max-h-[32rem] gap-3 overflow-auto rounded-md border bg-muted/50 p-3" aria-label="Messages">
          {view.messages.map((m, i) => (
            <li key={i} className="grid gap-1">
              <span className="text-xs font-medium uppercase tracking-wide text-muted-foreground">{m.role}</span>
              <pre className="whitespace-pre-wrap break-words font-mono text-xs leading-relaxed">{m.text || "(empty)"}</pre>
            </li>
          ))}
        </ol>
      ) : (
        <pre className={block}>{view.kind === "text" ? view.text : prettyJson(raw)}</pre>
      )}
    </div>
  );
}

function prettyJson(raw: string): string {
  try {
    return JSON.stringify(JSON.parse(raw), null, 2);
  } catch {
    return raw;
  }
}

export function CompletionBlock({ text }: { text: string }) {
  return (
    <div className="grid gap-2">
      <div className="flex justify-end">
        <CopyButton value={text} label="Copy completion" showLabel />
      </div>
      <pre className={block}>{text}</pre>
    </div>
  );
}
