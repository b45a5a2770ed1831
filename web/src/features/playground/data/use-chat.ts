import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { ChatUsage } from "./sse";
import { describeError, isAbort, PlaygroundError, streamCompletion, type ChatMessageInput, type ErrorDescription } from "./chat";

export type Turn = {
  id: number;
  role: "user" | "assistant";
  content: string;
  /** Assistant turns: streaming, finished, stopped by the user, or broken off by an error. */
  status: "streaming" | "done" | "stopped" | "error";
  usage?: ChatUsage | null;
  generationId?: string | null;
  /** The model id the turn was sent to. */
  model?: string;
};

export type SendOptions = {
  gateway: string;
  apiKey: string;
  model: string;
  system?: string;
  temperature?: number;
  maxTokens?: number;
};

export type ChatTotals = { answers: number; promptTokens: number; completionTokens: number; costMicros: number; costKnown: boolean };

let nextId = 1;

/** The conversation: turns, the answer being streamed, the last error, and the running total. */
export function useChat({ onSettled }: { onSettled?: () => void } = {}) {
  const [turns, setTurns] = useState<Turn[]>([]);
  const [streaming, setStreaming] = useState(false);
  const [error, setError] = useState<ErrorDescription | null>(null);
  const abortRef = useRef<AbortController | null>(null);
  // The latest turns and callback, for the event handlers and the end of a stream (kept up to
  // date after each render; a render itself does not write refs).
  const turnsRef = useRef<Turn[]>(turns);
  const settledRef = useRef(onSettled);
  useEffect(() => {
    turnsRef.current = turns;
    settledRef.current = onSettled;
  });

  useEffect(() => () => abortRef.current?.abort(), []);

  const patch = (id: number, change: Partial<Turn>) => setTurns((ts) => ts.map((t) => (t.id === id ? { ...t, ...change } : t)));
  const dropIfEmpty = (id: number) => setTurns((ts) => ts.filter((t) => t.id !== id || t.content !== ""));

  /** Sends `history` (ending with the user's turn) and streams the answer into a new turn. */
  const run = useCallback(async (history: Turn[], opts: SendOptions) => {
    const messages: ChatMessageInput[] = [];
    if (opts.system?.trim()) messages.push({ role: "system", content: opts.system.trim() });
    for (const t of history) {
      if (t.role === "assistant" && t.content === "") continue;
      messages.push({ role: t.role, content: t.content });
    }
    const answer: Turn = { id: nextId++, role: "assistant", content: "", status: "streaming", model: opts.model };
    setTurns([...history, answer]);
    setError(null);
    setStreaming(true);
    const controller = new AbortController();
    abortRef.current = controller;
    try {
      const result = await streamCompletion({
        gateway: opts.gateway,
        apiKey: opts.apiKey,
        request: {
          model: opts.model,
          messages,
          ...(opts.temperature !== undefined ? { temperature: opts.temperature } : {}),
          ...(opts.maxTokens !== undefined ? { max_tokens: opts.maxTokens } : {}),
        },
        signal: controller.signal,
        onText: (content) => patch(answer.id, { content }),
      });
      patch(answer.id, {
        content: result.content,
        status: result.error ? "error" : "done",
        usage: result.usage,
        generationId: result.generationId,
      });
      if (result.error) {
        setError(describeError(new PlaygroundError("stream", 0, result.error.message, opts.gateway)));
        if (!result.content) dropIfEmpty(answer.id);
      }
    } catch (e) {
      if (isAbort(e) || controller.signal.aborted) {
        patch(answer.id, { status: "stopped" });
      } else {
        patch(answer.id, { status: "error" });
        setError(describeError(e));
      }
      dropIfEmpty(answer.id);
    } finally {
      if (abortRef.current === controller) abortRef.current = null;
      setStreaming(false);
      settledRef.current?.();
    }
  }, []);

  const send = useCallback(
    (text: string, opts: SendOptions) => {
      if (abortRef.current) return;
      const user: Turn = { id: nextId++, role: "user", content: text, status: "done" };
      void run([...turnsRef.current, user], opts);
    },
    [run],
  );

  /** Sends the last user turn again (after an error), dropping whatever answer followed it. */
  const retry = useCallback(
    (opts: SendOptions) => {
      if (abortRef.current) return;
      const ts = turnsRef.current;
      let last = ts.length - 1;
      while (last >= 0 && ts[last]!.role !== "user") last--;
      if (last < 0) return;
      void run(ts.slice(0, last + 1), opts);
    },
    [run],
  );

  const stop = useCallback(() => abortRef.current?.abort(), []);

  const clear = useCallback(() => {
    abortRef.current?.abort();
    setTurns([]);
    setError(null);
  }, []);

  const totals = useMemo<ChatTotals>(() => {
    const t: ChatTotals = { answers: 0, promptTokens: 0, completionTokens: 0, costMicros: 0, costKnown: true };
    for (const turn of turns) {
      if (turn.role !== "assistant" || !turn.usage) continue;
      t.answers++;
      t.promptTokens += turn.usage.prompt_tokens;
      t.completionTokens += turn.usage.completion_tokens;
      if (turn.usage.cost_micros === null) t.costKnown = false;
      else t.costMicros += turn.usage.cost_micros;
    }
    return t;
  }, [turns]);

  const canRetry = error !== null && !streaming && turns.some((t) => t.role === "user");

  return { turns, streaming, error, dismissError: () => setError(null), send, retry, stop, clear, totals, canRetry };
}
