import { CircleStop, Sparkles } from "lucide-react";
import { useEffect, useRef, type ReactNode } from "react";
import { formatNumber } from "@/lib/format";
import { formatUsdExact } from "@/lib/money";
import { cn } from "@/lib/utils";
import { Link } from "@/components/ui/link";
import type { Turn } from "../data/use-chat";

const EXAMPLES = [
  "Explain what an LLM gateway does, in two sentences.",
  "Write a haiku about a toll road at dawn.",
  "Give me three names for a friendly robot, with a reason for each.",
];

function AnswerMeta({ turn }: { turn: Turn }) {
  if (turn.status === "streaming") return null;
  const parts: ReactNode[] = [];
  if (turn.status === "stopped") parts.push(<span key="s">Stopped</span>);
  if (turn.status === "error") parts.push(<span key="e" className="text-destructive">Broke off</span>);
  if (turn.usage) {
    parts.push(
      <span key="t" className="tabular-nums">
        {formatNumber(turn.usage.prompt_tokens)} in · {formatNumber(turn.usage.completion_tokens)} out
      </span>,
    );
    parts.push(
      <span key="c" className="tabular-nums font-medium text-foreground" data-testid="answer-cost">
        {turn.usage.cost_micros === null ? "cost unknown" : formatUsdExact(turn.usage.cost_micros)}
      </span>,
    );
  }
  if (turn.generationId) {
    parts.push(
      <Link key="g" to={"/logs/" + encodeURIComponent(turn.generationId)} className="max-w-full truncate font-mono text-primary underline-offset-2 hover:underline" title="Open this request in the log">
        {turn.generationId}
      </Link>,
    );
  } else if (turn.status === "done") {
    parts.push(
      <Link key="l" to="/logs" className="text-primary underline-offset-2 hover:underline">
        See it in Logs
      </Link>,
    );
  }
  if (parts.length === 0) return null;
  return (
    <p className="mt-1.5 flex min-w-0 flex-wrap items-center gap-x-2 gap-y-0.5 px-1 text-xs text-muted-foreground">
      {parts.map((p, i) => (
        <span key={i} className="flex min-w-0 items-center gap-2">
          {i > 0 && <span aria-hidden>·</span>}
          {p}
        </span>
      ))}
    </p>
  );
}

function Bubble({ turn }: { turn: Turn }) {
  const user = turn.role === "user";
  return (
    <li className={cn("flex min-w-0 flex-col", user ? "items-end" : "items-start")}>
      <div
        className={cn(
          "max-w-[min(85%,42rem)] whitespace-pre-wrap break-words rounded-2xl px-4 py-2.5 text-sm leading-relaxed [overflow-wrap:anywhere]",
          user ? "rounded-br-md bg-primary text-primary-foreground" : "rounded-bl-md bg-muted text-foreground",
        )}
        data-testid={user ? "user-message" : "assistant-message"}
      >
        <span className="sr-only">{user ? "You: " : "Assistant: "}</span>
        {turn.content}
        {turn.status === "streaming" && turn.content === "" && (
          <span className="inline-flex gap-1 py-1 align-middle" aria-label="Writing">
            <span className="size-1.5 animate-bounce rounded-full bg-muted-foreground [animation-delay:-0.3s]" />
            <span className="size-1.5 animate-bounce rounded-full bg-muted-foreground [animation-delay:-0.15s]" />
            <span className="size-1.5 animate-bounce rounded-full bg-muted-foreground" />
          </span>
        )}
        {turn.status === "streaming" && turn.content !== "" && (
          <span className="ml-0.5 inline-block h-4 w-1.5 animate-pulse rounded-sm bg-foreground/60 align-text-bottom" aria-hidden />
        )}
        {turn.status === "stopped" && <CircleStop className="ml-1 inline size-3.5 align-text-bottom text-muted-foreground" aria-hidden />}
      </div>
      {!user && <AnswerMeta turn={turn} />}
    </li>
  );
}

/** The conversation, kept scrolled to the newest text while the reader is at the bottom. */
export function MessageList({
  turns,
  streaming,
  modelName,
  onExample,
  children,
}: {
  turns: Turn[];
  streaming: boolean;
  modelName: string | null;
  onExample: (text: string) => void;
  children?: ReactNode;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const last = turns.at(-1);

  useEffect(() => {
    const el = ref.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [turns.length, last?.content, children]);

  return (
    <div
      ref={ref}
      className="min-h-0 flex-1 overflow-y-auto overscroll-contain px-3 py-4 sm:px-5"
      onScroll={(e) => {
        const el = e.currentTarget;
        stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
      }}
    >
      {turns.length === 0 ? (
        <div className="mx-auto flex h-full max-w-md flex-col items-center justify-center gap-3 py-6 text-center">
          <span className="flex size-11 items-center justify-center rounded-full bg-primary/10 text-primary">
            <Sparkles className="size-5" aria-hidden />
          </span>
          <div>
            <p className="font-medium">{modelName ? `Say hello to ${modelName}` : "Say hello to a model"}</p>
            <p className="mt-1 text-sm text-muted-foreground">Write a message below, or start with one of these:</p>
          </div>
          <ul className="grid w-full gap-2">
            {EXAMPLES.map((text) => (
              <li key={text}>
                <button
                  type="button"
                  onClick={() => onExample(text)}
                  className="w-full cursor-pointer rounded-lg border bg-card px-3 py-2 text-left text-sm transition-colors hover:bg-accent focus-visible:outline-2 focus-visible:outline-ring"
                >
                  {text}
                </button>
              </li>
            ))}
          </ul>
        </div>
      ) : (
        <ol role="log" aria-label="Conversation" aria-busy={streaming} className="mx-auto grid max-w-3xl gap-4">
          {turns.map((t) => (
            <Bubble key={t.id} turn={t} />
          ))}
        </ol>
      )}
      {children}
    </div>
  );
}
