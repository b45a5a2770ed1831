// The chat options form (system prompt, temperature, max tokens): its values and their checks.

export type ChatOptionsValue = { system: string; temperature: string; maxTokens: string };
export type ChatOptionsErrors = { temperature?: string; maxTokens?: string };

/** Checks the options; returns the numbers to send (undefined: the model's default) or errors in words. */
export function parseChatOptions(
  v: ChatOptionsValue,
  maxOutput: number | null,
): { ok: true; temperature?: number; maxTokens?: number } | { ok: false; errors: ChatOptionsErrors } {
  const errors: ChatOptionsErrors = {};
  let temperature: number | undefined;
  let maxTokens: number | undefined;
  if (v.temperature.trim() !== "") {
    const t = Number(v.temperature);
    if (!Number.isFinite(t) || t < 0 || t > 2) errors.temperature = "Temperature is a number from 0 to 2, like 0.7.";
    else temperature = t;
  }
  if (v.maxTokens.trim() !== "") {
    const n = Number(v.maxTokens);
    const limit = maxOutput && maxOutput > 0 ? maxOutput : null;
    if (!Number.isInteger(n) || n < 1) errors.maxTokens = "Max tokens is a whole number of at least 1.";
    else if (limit && n > limit) errors.maxTokens = `This model writes at most ${limit.toLocaleString("en-US")} tokens per answer.`;
    else maxTokens = n;
  }
  if (errors.temperature || errors.maxTokens) return { ok: false, errors };
  return { ok: true, temperature, maxTokens };
}
