import { AlertTriangle, CircleStop, RotateCcw, Sparkles, Trash2 } from "lucide-react";
import { useEffect, useRef, type ReactNode } from "react";
import { formatNumber } from "@/lib/format";
import { formatUsdExact } from "@/lib/money";
import { cn } from "@/lib/utils";
import { Button } from "@/components/ui/button";
import { Link } from "@/components/ui/link";
import { formatLatency } from "../data/latency";
import type { Turn } from "../data/use-chat";
import { Markdown } from "./markdown";


export type TurnActions = {
  /** Ask the question `id` again. */
  onRetry: (id: number) => void;
  /** Remove the question `id` and its answer. */
  onRemove: (id: number) => void;
  /** The catalog's name of a model id, when it has one. */
  modelName: (id: string) => string | null;
};

/** What went wrong with a turn, what to do about it, and Retry / Remove. */
function TurnError({ turn, questionId, actions, align }: { turn: Turn; questionId: number | null; actions: TurnActions; align: "start" | "end" }) {
  const error = turn.error!;
  return (
    <div role="alert" className={cn("mt-1.5 flex max-w-[min(85%,42rem)] gap-2 rounded-lg border border-destructive/40 bg-destructive/5 p-2.5 text-sm", align === "end" && "self-end")}>
      <AlertTriangle className="mt-0.5 size-4 shrink-0 text-destructive" aria-hidden />
      <div className="min-w-0 flex-1">
        <p className="font-medium text-destructive">{error.message}</p>
        {error.detail && <p className="mt-0.5 break-words text-muted-foreground">{error.detail}</p>}
        <div className="mt-2 flex flex-wrap gap-2">
          {questionId !== null && (
            <Button size="sm" variant="outline" onClick={() => actions.onRetry(questionId)}>
              <RotateCcw aria-hidden />
              Retry
            </Button>
          )}
          {questionId !== null && (
            <Button size="sm" variant="ghost" onClick={() => actions.onRemove(questionId)}>
              <Trash2 aria-hidden />
              Remove
            </Button>
          )}
          {error.link && (
            <Button asChild size="sm" variant="ghost">
              <Link to={error.link.to}>{error.link.label}</Link>
            </Button>
          )}
        </div>
      </div>
    </div>
  );
}

const EXAMPLES = [
  "Explain what an LLM gateway does, in two sentences.",
  "Write a haiku about a toll road at dawn.",
  "Give me three names for a friendly robot, with a reason for each.",
];

function AnswerMeta({ turn, modelName }: { turn: Turn; modelName: (id: string) => string | null }) {
  if (turn.status === "streaming") return null;
  const parts: ReactNode[] = [];
  if (turn.model) {
    parts.push(
      <span key="m" className="truncate font-medium text-foreground" data-testid="answer-model" title={turn.model}>
        {modelName(turn.model) ?? turn.model}
      </span>,
    );
  }
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
  if (turn.latencyMs != null) {
    parts.push(
      <span key="d" className="tabular-nums" data-testid="answer-latency" title={turn.firstTokenMs != null ? `First text after ${formatLatency(turn.firstTokenMs)}` : undefined}>
        {formatLatency(turn.latencyMs)}
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

function Bubble({ turn, questionId, actions }: { turn: Turn; questionId: number | null; actions: TurnActions }) {
  const user = turn.role === "user";
  const failed = turn.status === "failed";
  return (
    <li className={cn("flex min-w-0 flex-col", user ? "items-end" : "items-start")} data-failed={failed || undefined}>
      <div
        className={cn(
          "max-w-[min(85%,42rem)] break-words rounded-2xl px-4 py-2.5 text-sm leading-relaxed [overflow-wrap:anywhere]",
          user ? "whitespace-pre-wrap rounded-br-md" : "min-w-0 rounded-bl-md bg-muted text-foreground",
          user && (failed ? "border border-dashed border-destructive/60 bg-destructive/5 text-foreground" : "bg-primary text-primary-foreground"),
        )}
        data-testid={user ? "user-message" : "assistant-message"}
      >
        <span className="sr-only">{user ? (failed ? "You (not answered): " : "You: ") : "Assistant: "}</span>
        {user ? turn.content : <Markdown source={turn.content} />}
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
      {failed && <p className="mt-1 px-1 text-xs font-medium text-destructive">Not answered · not sent again as context</p>}
      {!user && <AnswerMeta turn={turn} modelName={actions.modelName} />}
      {turn.error && <TurnError turn={turn} questionId={questionId} actions={actions} align={user ? "end" : "start"} />}
    </li>
  );
}

/** The conversation, kept scrolled to the newest text while the reader is at the bottom. */
export function MessageList({
  turns,
  streaming,
  modelName,
  onExample,
  actions,
  compact = false,
  children,
}: {
  turns: Turn[];
  streaming: boolean;
  modelName: string | null;
  onExample: (text: string) => void;
  actions: TurnActions;
  /** A column of the side-by-side comparison: no examples in the empty state. */
  compact?: boolean;
  children?: ReactNode;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const stick = useRef(true);

  useEffect(() => {
    const el = ref.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [turns, children]);

  return (
    <div
      ref={ref}
      className="min-h-0 flex-1 overflow-y-auto overscroll-contain px-3 py-4 sm:px-5"
      onScroll={(e) => {
        const el = e.currentTarget;
        stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
      }}
    >
      {turns.length === 0 && compact ? (
        <p className="py-6 text-center text-sm text-muted-foreground">{modelName ? `${modelName} answers here.` : "Choose a model."}</p>
      ) : turns.length === 0 ? (
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
          {turns.map((t, i) => (
            <Bubble key={t.id} turn={t} actions={actions} questionId={t.role === "user" ? t.id : turns[i - 1]?.role === "user" ? turns[i - 1]!.id : null} />
          ))}
        </ol>
      )}
      {children}
    </div>
  );
}
