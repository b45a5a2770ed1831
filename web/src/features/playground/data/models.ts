import type { Catalog, Endpoint, Model } from "@/lib/api";

/** Models with at least one available endpoint first, each group by name. */
export function sortModels(models: Model[]): Model[] {
  return [...models].sort((a, b) => {
    const av = isAvailable(a) ? 0 : 1;
    const bv = isAvailable(b) ? 0 : 1;
    return av - bv || a.name.localeCompare(b.name);
  });
}

/** Embedding models answer POST /embeddings only: the playground, a chat, does not offer them. */
export function isChatModel(model: Model): boolean {
  return !model.output_modalities.includes("embeddings");
}

export function isAvailable(model: Model): boolean {
  return model.endpoints.some((e) => e.available);
}

/**
 * The endpoint the gateway would pick first (the cheapest available one), and whether the
 * model's providers charge different prices.
 */
export function cheapestEndpoint(model: Model): { endpoint: Endpoint; varies: boolean } | null {
  const pool = model.endpoints.filter((e) => e.available);
  const list = pool.length > 0 ? pool : model.endpoints;
  if (list.length === 0) return null;
  const cost = (e: Endpoint) => e.prices.input + e.prices.output;
  const sorted = [...list].sort((a, b) => cost(a) - cost(b));
  const first = sorted[0]!;
  const varies = list.some((e) => e.prices.input !== first.prices.input || e.prices.output !== first.prices.output);
  return { endpoint: first, varies };
}

export function findModel(catalog: Catalog | undefined, id: string | null): Model | null {
  if (!catalog || !id) return null;
  return catalog.models.find((m) => m.id === id) ?? null;
}

/** The model the playground starts with, when the address names none. */
export const PREFERRED_DEFAULT = "openai/gpt-4o-mini";

/**
 * The playground's default model: openai/gpt-4o-mini when it is served (cheap and capable), else
 * the cheapest available model that reads and writes text (prompt plus completion price per
 * token at its cheapest provider; by name among equals). Never "whatever sorts first".
 */
export function defaultModel(models: Model[]): Model | null {
  const usable = models.filter((m) => isAvailable(m) && isChatModel(m) && m.output_modalities.includes("text") && m.input_modalities.includes("text"));
  const preferred = usable.find((m) => m.id === PREFERRED_DEFAULT);
  if (preferred) return preferred;
  const price = (m: Model) => {
    const c = cheapestEndpoint(m)!.endpoint.prices;
    return c.input + c.output;
  };
  return [...usable].sort((a, b) => price(a) - price(b) || a.name.localeCompare(b.name))[0] ?? models.find(isAvailable) ?? null;
}
