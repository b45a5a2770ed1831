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
