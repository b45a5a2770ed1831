// Pure helpers for the request detail page.
import type { Attempt, LogDetail } from "@/lib/api";

/**
 * One sentence about the providers tried, when there was more than one: "Failed over from
 * openai (502) to groq." or "All 3 providers failed."; null for a single attempt.
 */
export function failoverSummary(attempts: readonly Attempt[], succeeded: boolean, nameOf: (id: string) => string = (id) => id): string | null {
  if (attempts.length < 2) return null;
  const failed = succeeded ? attempts.slice(0, -1) : attempts;
  const list = (items: string[]) =>
    items.length <= 1 ? (items[0] ?? "") : items.slice(0, -1).join(", ") + " and " + items[items.length - 1];
  const described = failed.map((a) => nameOf(a.provider) + (a.status !== null ? ` (${a.status})` : ""));
  if (!succeeded) return `All ${attempts.length} providers tried failed: ${list(described)}.`;
  return `Failed over from ${list(described)} to ${nameOf(attempts[attempts.length - 1]!.provider)}.`;
}

type RoutingStep = LogDetail["routing"][number];

/** What became of one routing candidate, as the detail page shows it: a label, its tone, and why. */
export function routingOutcome(step: RoutingStep): {
  label: string;
  tone: "success" | "destructive" | "secondary" | "warning" | "outline";
  detail: string | null;
} {
  switch (step.outcome) {
    case "answered":
      return { label: "Answered", tone: "success", detail: null };
    case "failed":
      return { label: step.status !== null ? `Failed (${step.status})` : "Failed (no response)", tone: "destructive", detail: null };
    case "not needed":
      return { label: "Not needed", tone: "secondary", detail: "Not tried: an earlier candidate settled the request." };
    case "cooling down":
      return { label: "Cooling down", tone: "warning", detail: "Passed over while its breaker was open (it failed recently)." };
    case "skipped":
      return { label: "Skipped", tone: "outline", detail: step.reason };
  }
}

export type PromptView =
  | { kind: "messages"; messages: { role: string; text: string }[] }
  | { kind: "text"; text: string };

function partText(part: unknown): string {
  if (typeof part === "string") return part;
  if (part && typeof part === "object") {
    const p = part as Record<string, unknown>;
    if (typeof p.text === "string") return p.text;
    if (p.type === "image_url") return "[image]";
    if (p.type === "input_audio") return "[audio]";
    if (p.type === "file") return "[file]";
  }
  return JSON.stringify(part);
}

/**
 * The logged prompt is the request body as sent. A chat request reads best as its messages;
 * anything else is shown as text, pretty-printed when it is JSON.
 */
export function promptView(raw: string): PromptView {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return { kind: "text", text: raw };
  }
  const messages = body && typeof body === "object" ? (body as { messages?: unknown }).messages : undefined;
  if (Array.isArray(messages) && messages.length > 0 && messages.every((m) => m && typeof m === "object")) {
    return {
      kind: "messages",
      messages: messages.map((m: Record<string, unknown>) => {
        const content = m.content;
        let text = typeof content === "string" ? content : Array.isArray(content) ? content.map(partText).join("\n") : "";
        if (Array.isArray(m.tool_calls) && m.tool_calls.length > 0) {
          text += (text ? "\n" : "") + JSON.stringify(m.tool_calls, null, 2);
        }
        return { role: typeof m.role === "string" ? m.role : "message", text };
      }),
    };
  }
  return { kind: "text", text: JSON.stringify(body, null, 2) };
}
