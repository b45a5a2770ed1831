import { describe, expect, it } from "vitest";
import type { Endpoint, Model } from "@/lib/api";
import { defaultModel } from "./models";

function model(id: string, name: string, input: number, output: number, extra: Partial<Model> = {}, available = true): Model {
  const endpoint: Endpoint = {
    provider: "p",
    upstream_model: id,
    available,
    prices: { input, output, cache_read: 0, cache_write: 0 },
    context_length: 1000,
    max_output: 100,
    supported_parameters: [],
    data_collection: "allow",
    zdr: false,
  };
  return { id, name, company: "c", description: "", context_length: 1000, max_output: 100, input_modalities: ["text"], output_modalities: ["text"], endpoints: [endpoint], ...extra };
}

describe("defaultModel", () => {
  it("prefers openai/gpt-4o-mini when it is served", () => {
    const models = [model("a/aardvark", "Aardvark", 1, 1), model("openai/gpt-4o-mini", "OpenAI: GPT-4o mini", 150_000, 600_000)];
    expect(defaultModel(models)?.id).toBe("openai/gpt-4o-mini");
  });

  it("else takes the cheapest available text model, not the first by name", () => {
    const models = [
      model("a/aardvark", "Aardvark", 5_000_000, 15_000_000),
      model("z/zebra", "Zebra", 100_000, 400_000),
      model("b/down", "Down", 1, 1, {}, false),
      model("e/embed", "Embed", 0, 0, { output_modalities: ["embeddings"] }),
      model("i/image", "Image", 0, 0, { output_modalities: ["image"] }),
      model("openai/gpt-4o-mini", "GPT-4o mini", 1, 1, {}, false),
    ];
    expect(defaultModel(models)?.id).toBe("z/zebra");
  });
});
