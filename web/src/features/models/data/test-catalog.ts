// A small catalog for the Models tests (imported by *.test.ts(x) only).
import type { Catalog, Endpoint, Model, Provider } from "@/lib/api";

const params = ["max_tokens", "temperature", "stream"];

export function endpoint(provider: string, input: number, output: number, extra: Partial<Endpoint> = {}): Endpoint {
  return {
    provider,
    upstream_model: provider + "-model",
    available: true,
    prices: { input, output, cache_read: 0, cache_write: 0 },
    context_length: 128_000,
    max_output: 4096,
    supported_parameters: params,
    data_collection: "allow",
    zdr: false,
    ...extra,
  };
}

export function model(id: string, extra: Partial<Model> = {}): Model {
  const [company = "acme"] = id.split("/");
  return {
    id,
    name: id,
    company,
    description: "",
    context_length: 128_000,
    max_output: 4096,
    input_modalities: ["text"],
    output_modalities: ["text"],
    endpoints: [],
    ...extra,
  };
}

export function provider(id: string, name: string, extra: Partial<Provider> = {}): Provider {
  return {
    id,
    name,
    adapter: "openai",
    base_url: "https://" + id + ".example/v1",
    key_env: id.toUpperCase() + "_API_KEY",
    available: true,
    health: { requests: 0, failures: 0, error_rate: 0, latency_ms: null, last_failure_at: null, throughput_tps: null },
    ...extra,
  };
}

export const testCatalog: Catalog = {
  companies: [
    { id: "openai", name: "OpenAI" },
    { id: "meta-llama", name: "Meta" },
    { id: "google", name: "Google" },
  ],
  providers: [
    provider("openai", "OpenAI", {
      health: {
        requests: 1234,
        failures: 6,
        error_rate: 0.0049,
        latency_ms: 412.4,
        last_failure_at: new Date(Date.now() - 3 * 60_000).toISOString(),
        throughput_tps: 87.6,
      },
    }),
    provider("groq", "Groq"),
    provider("deepinfra", "DeepInfra"),
    provider("google", "Google AI Studio", { available: false }),
  ],
  models: [
    model("openai/gpt-4o", {
      name: "OpenAI: GPT-4o",
      description: "Flagship multimodal model.",
      context_length: 128_000,
      max_output: 16_384,
      input_modalities: ["text", "image", "file"],
      endpoints: [
        endpoint("openai", 2_500_000, 10_000_000, {
          prices: { input: 2_500_000, output: 10_000_000, cache_read: 1_250_000, cache_write: 0 },
          supported_parameters: [...params, "tools", "tool_choice"],
          max_output: 16_384,
        }),
      ],
    }),
    model("openai/gpt-4o-mini", {
      name: "OpenAI: GPT-4o-mini",
      description: "Small, fast and cheap.",
      context_length: 128_000,
      input_modalities: ["text", "image"],
      endpoints: [endpoint("openai", 150_000, 600_000, { supported_parameters: [...params, "tools"] })],
    }),
    model("meta-llama/llama-3.3-70b-instruct", {
      name: "Meta: Llama 3.3 70B Instruct",
      description: "Open-weights instruction model.",
      context_length: 131_072,
      endpoints: [
        endpoint("groq", 590_000, 790_000, { context_length: 131_072 }),
        endpoint("deepinfra", 100_000, 320_000, { context_length: 131_072, max_output: 8192 }),
      ],
    }),
    model("google/gemini-2.5-pro", {
      name: "Google: Gemini 2.5 Pro",
      description: "Thinking model with a long context window.",
      context_length: 1_048_576,
      input_modalities: ["text", "image", "audio"],
      endpoints: [endpoint("google", 1_250_000, 10_000_000, { available: false, supported_parameters: [...params, "tools"] })],
    }),
    model("meta-llama/llama-guard", {
      name: "Meta: Llama Guard",
      description: "A safety classifier.",
      context_length: 8_192,
      endpoints: [],
    }),
  ],
};
