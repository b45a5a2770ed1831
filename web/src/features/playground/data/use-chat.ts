import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { ChatUsage } from "./sse";
import { describeError, isAbort, PlaygroundError, streamCompletion, type ChatMessageInput, type ErrorDescription } from "./chat";

export type Turn = {
  id: number;
  role: "user" | "assistant";
  content: string;
  /**
   * User turns: "done" once answered (or while the answer streams), "failed" when no answer came
   * (an error, or stopped before the first word). Assistant turns: streaming, finished, stopped by
   * the user, or broken off by an error.
   */
  status: "streaming" | "done" | "stopped" | "error" | "failed";
  /** Why the turn failed (a failed user turn, or an answer that broke off), in words. */
  error?: ErrorDescription;
  usage?: ChatUsage | null;
  generationId?: string | null;
  /** Assistant turns: the model that answered (as the gateway named it), else the one asked. */
  model?: string;
  /** Assistant turns: milliseconds from sending to the first text, and to the end of the answer. */
  firstTokenMs?: number | null;
  latencyMs?: number | null;
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

/**
 * The messages to send: the system prompt, then each question that got an answer with that answer
 * (even a partial one), then `question`. A question without an answer (it failed, or was stopped
 * before the first word) is left out, so the provider never sees two user turns in a row.
 */
export function contextMessages(turns: Turn[], question: string, system?: string): ChatMessageInput[] {
  const messages: ChatMessageInput[] = [];
  if (system?.trim()) messages.push({ role: "system", content: system.trim() });
  for (let i = 0; i < turns.length; i++) {
    const t = turns[i]!;
    const next = turns[i + 1];
    if (t.role === "user" && t.status !== "failed" && next?.role === "assistant" && next.content !== "" && next.status !== "streaming") {
      messages.push({ role: "user", content: t.content }, { role: "assistant", content: next.content });
      i++;
    }
  }
  messages.push({ role: "user", content: question });
  return messages;
}

/** One conversation: turns, whether an answer is streaming, and the running total. */
export function useChat({ onSettled, onRefused }: { onSettled?: () => void; onRefused?: (apiKey: string) => void } = {}) {
  const [turns, setTurns] = useState<Turn[]>([]);
  const [streaming, setStreaming] = useState(false);
  const abortRef = useRef<AbortController | null>(null);
  // The latest turns and callback, for the event handlers and the end of a stream (kept up to
  // date after each render; a render itself does not write refs).
  const turnsRef = useRef<Turn[]>(turns);
  const settledRef = useRef(onSettled);
  const refusedRef = useRef(onRefused);
  useEffect(() => {
    turnsRef.current = turns;
    settledRef.current = onSettled;
    refusedRef.current = onRefused;
  });

  useEffect(() => () => abortRef.current?.abort(), []);

  const patch = (id: number, change: Partial<Turn>) => setTurns((ts) => ts.map((t) => (t.id === id ? { ...t, ...change } : t)));

  /** Appends `question` to `history` and streams the answer into a new turn. */
  const run = useCallback(async (history: Turn[], question: string, opts: SendOptions) => {
    const messages = contextMessages(history, question, opts.system);
    const user: Turn = { id: nextId++, role: "user", content: question, status: "done" };
    const answer: Turn = { id: nextId++, role: "assistant", content: "", status: "streaming", model: opts.model };
    turnsRef.current = [...history, user, answer];
    setTurns(turnsRef.current);
    setStreaming(true);
    const controller = new AbortController();
    abortRef.current = controller;
    const started = performance.now();
    let firstTokenMs: number | null = null;
    let partial = "";
    /** No answer came: the question is marked failed, with what to do, and the empty answer goes. */
    const failed = (error: ErrorDescription) =>
      setTurns((ts) => ts.filter((t) => t.id !== answer.id).map((t) => (t.id === user.id ? { ...t, status: "failed", error } : t)));
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
        onText: (content) => {
          firstTokenMs ??= Math.round(performance.now() - started);
          partial = content;
          patch(answer.id, { content });
        },
      });
      const error = result.error ? describeError(new PlaygroundError("stream", 0, result.error.message, opts.gateway)) : undefined;
      if (error && !result.content) {
        failed(error);
      } else {
        patch(answer.id, {
          content: result.content,
          status: error ? "error" : "done",
          error,
          usage: result.usage,
          generationId: result.generationId,
          model: result.model ?? opts.model,
          firstTokenMs,
          latencyMs: Math.round(performance.now() - started),
        });
      }
    } catch (e) {
      const stopped = isAbort(e) || controller.signal.aborted;
      if (e instanceof PlaygroundError && (e.kind === "auth" || e.kind === "forbidden")) refusedRef.current?.(opts.apiKey);
      if (partial === "") {
        failed(stopped ? { message: "Stopped before the answer began" } : describeError(e));
      } else {
        patch(answer.id, stopped ? { status: "stopped" } : { status: "error", error: describeError(e) });
      }
    } finally {
      if (abortRef.current === controller) abortRef.current = null;
      setStreaming(false);
      settledRef.current?.();
    }
  }, []);

  const send = useCallback(
    (text: string, opts: SendOptions) => {
      if (abortRef.current) return;
      void run(turnsRef.current, text, opts);
    },
    [run],
  );

  /** The question `id` (a user turn) and the answer that followed it, if any. */
  const withAnswer = (ts: Turn[], id: number): Set<number> => {
    const i = ts.findIndex((t) => t.id === id);
    const ids = new Set<number>([id]);
    if (i >= 0 && ts[i + 1]?.role === "assistant") ids.add(ts[i + 1]!.id);
    return ids;
  };

  /** Asks the question `id` again, at the end of the conversation, dropping its failed or broken answer. */
  const retry = useCallback(
    (id: number, opts: SendOptions) => {
      if (abortRef.current) return;
      const ts = turnsRef.current;
      const question = ts.find((t) => t.id === id && t.role === "user");
      if (!question) return;
      const drop = withAnswer(ts, id);
      void run(
        ts.filter((t) => !drop.has(t.id)),
        question.content,
        opts,
      );
    },
    [run],
  );

  /** Removes the question `id` and its answer from the conversation. */
  const remove = useCallback((id: number) => {
    setTurns((ts) => {
      const drop = withAnswer(ts, id);
      return ts.filter((t) => !drop.has(t.id));
    });
  }, []);

  const stop = useCallback(() => abortRef.current?.abort(), []);

  /** Replaces the conversation (a comparison column taking over its neighbour's). */
  const load = useCallback((next: Turn[]) => {
    if (abortRef.current) return;
    setTurns(next);
  }, []);

  const clear = useCallback(() => {
    abortRef.current?.abort();
    setTurns([]);
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

  return { turns, streaming, send, retry, remove, stop, clear, load, totals };
}

export type Chat = ReturnType<typeof useChat>;
