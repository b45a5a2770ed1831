// "Use this model" snippets: a request to the gateway's OpenAI-compatible API in three languages.

export type SampleLanguage = "curl" | "python" | "typescript";

export const sampleLanguages: { value: SampleLanguage; label: string }[] = [
  { value: "curl", label: "curl" },
  { value: "python", label: "Python" },
  { value: "typescript", label: "TypeScript" },
];

/** The environment variable the snippets read the API key from. */
export const API_KEY_ENV = "TURNPIKE_API_KEY";

/**
 * The gateway's base URL for the OpenAI-compatible API: the configured gateway URL (or, when
 * there is none, this host on the default gateway port) followed by `/api/v1`.
 */
export function apiBaseUrl(gatewayUrl: string | null | undefined, loc: Pick<Location, "protocol" | "hostname"> = window.location): string {
  const root = gatewayUrl && gatewayUrl.trim() !== "" ? gatewayUrl.trim() : `${loc.protocol}//${loc.hostname}:4000`;
  return root.replace(/\/+$/, "") + "/api/v1";
}

const shellSingleQuoted = (s: string) => s.replace(/'/g, `'\\''`);

export function codeSample(language: SampleLanguage, baseUrl: string, modelId: string): string {
  const model = JSON.stringify(modelId);
  const url = JSON.stringify(baseUrl);
  switch (language) {
    case "curl":
      return [
        `curl ${baseUrl}/chat/completions \\`,
        `  -H "Authorization: Bearer $${API_KEY_ENV}" \\`,
        `  -H "Content-Type: application/json" \\`,
        `  -d '{`,
        `    "model": ${shellSingleQuoted(model)},`,
        `    "messages": [{"role": "user", "content": "Hello!"}]`,
        `  }'`,
      ].join("\n");
    case "python":
      return [
        `import os`,
        `from openai import OpenAI`,
        ``,
        `client = OpenAI(`,
        `    base_url=${url},`,
        `    api_key=os.environ["${API_KEY_ENV}"],`,
        `)`,
        ``,
        `completion = client.chat.completions.create(`,
        `    model=${model},`,
        `    messages=[{"role": "user", "content": "Hello!"}],`,
        `)`,
        `print(completion.choices[0].message.content)`,
      ].join("\n");
    case "typescript":
      return [
        `import OpenAI from "openai";`,
        ``,
        `const client = new OpenAI({`,
        `  baseURL: ${url},`,
        `  apiKey: process.env.${API_KEY_ENV},`,
        `});`,
        ``,
        `const completion = await client.chat.completions.create({`,
        `  model: ${model},`,
        `  messages: [{ role: "user", content: "Hello!" }],`,
        `});`,
        `console.log(completion.choices[0].message.content);`,
      ].join("\n");
  }
}
