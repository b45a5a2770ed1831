import { describe, expect, it } from "vitest";
import {
  clearFilterParams,
  defaultFilters,
  filterRows,
  filtersToParams,
  hasActiveFilters,
  headlineEndpoint,
  nextSort,
  parseFilters,
  routingOrder,
  selectModels,
  sortRows,
  toRows,
  type ModelFilters,
} from "./filter-models";
import { endpoint, model, testCatalog } from "./test-catalog";

const ids = (f: Partial<ModelFilters>) => selectModels(testCatalog, { ...defaultFilters, ...f }).map((r) => r.model.id);

describe("parseFilters / filtersToParams", () => {
  it("reads an empty query string as the defaults", () => {
    expect(parseFilters(new URLSearchParams(""))).toEqual(defaultFilters);
  });

  it("reads every filter from the query string", () => {
    const f = parseFilters(new URLSearchParams("q=gpt&company=openai&context=128k&max_prompt=1&tools=1&images=true&sort=prompt&dir=desc"));
    expect(f).toEqual({
      q: "gpt",
      company: "openai",
      minContext: 128_000,
      maxPrompt: 1_000_000,
      tools: true,
      images: true,
      sort: "prompt",
      dir: "desc",
    });
  });

  it("falls back to defaults for values it cannot read", () => {
    const f = parseFilters(new URLSearchParams("context=lots&max_prompt=-3&tools=yes&sort=colour&dir=up"));
    expect(f).toEqual(defaultFilters);
  });

  it("accepts plain and suffixed context lengths and a $ on prices", () => {
    expect(parseFilters(new URLSearchParams("context=200000")).minContext).toBe(200_000);
    expect(parseFilters(new URLSearchParams("context=1M")).minContext).toBe(1_000_000);
    expect(parseFilters(new URLSearchParams("context=64k")).minContext).toBe(64_000);
    expect(parseFilters(new URLSearchParams("max_prompt=%240.25")).maxPrompt).toBe(250_000);
    expect(parseFilters(new URLSearchParams("max_prompt=0")).maxPrompt).toBe(0);
  });

  it("reads the price exactly and drops one it cannot read exactly", () => {
    expect(parseFilters(new URLSearchParams("max_prompt=0.29")).maxPrompt).toBe(290_000);
    expect(parseFilters(new URLSearchParams("max_prompt=8.2")).maxPrompt).toBe(8_200_000);
    expect(parseFilters(new URLSearchParams("max_prompt=0.1234567")).maxPrompt).toBeNull();
    expect(parseFilters(new URLSearchParams("max_prompt=1e3")).maxPrompt).toBeNull();
    expect(filtersToParams({ maxPrompt: 8_200_000 })).toEqual({ max_prompt: "8.2" });
    expect(filtersToParams({ maxPrompt: 1 })).toEqual({ max_prompt: "0.000001" });
  });

  it("uses each column's natural direction when the URL names none", () => {
    expect(parseFilters(new URLSearchParams("sort=context")).dir).toBe("desc");
    expect(parseFilters(new URLSearchParams("sort=providers")).dir).toBe("desc");
    expect(parseFilters(new URLSearchParams("sort=completion")).dir).toBe("asc");
  });

  it("writes filters back to the same query string, leaving defaults out", () => {
    const f: ModelFilters = { q: "llama", company: "meta-llama", minContext: 32_000, maxPrompt: 250_000, tools: true, images: false, sort: "context", dir: "asc" };
    const update = filtersToParams(f);
    expect(update).toEqual({ q: "llama", company: "meta-llama", context: "32k", max_prompt: "0.25", tools: "1", images: null, sort: "context", dir: "asc" });
    const qs = new URLSearchParams(Object.entries(update).filter((e): e is [string, string] => e[1] !== null));
    expect(parseFilters(qs)).toEqual(f);
  });

  it("removes the sort from the URL when it is the default, and the direction when it is the column's own", () => {
    expect(filtersToParams({ sort: "name", dir: "asc" })).toEqual({ sort: null, dir: null });
    expect(filtersToParams({ sort: "name", dir: "desc" })).toEqual({ sort: "name", dir: "desc" });
    expect(filtersToParams({ sort: "context", dir: "desc" })).toEqual({ sort: "context", dir: null });
    expect(filtersToParams({ q: "", company: null, minContext: 0, maxPrompt: null })).toEqual({ q: null, company: null, context: null, max_prompt: null });
  });

  it("clears filters but not the sort", () => {
    const update = clearFilterParams();
    expect(update).not.toHaveProperty("sort");
    expect(Object.values(update).every((v) => v === null)).toBe(true);
  });

  it("knows when a filter is active", () => {
    expect(hasActiveFilters(defaultFilters)).toBe(false);
    expect(hasActiveFilters({ ...defaultFilters, sort: "prompt" })).toBe(false);
    expect(hasActiveFilters({ ...defaultFilters, q: "  " })).toBe(false);
    expect(hasActiveFilters({ ...defaultFilters, q: "x" })).toBe(true);
    expect(hasActiveFilters({ ...defaultFilters, maxPrompt: 0 })).toBe(true);
    expect(hasActiveFilters({ ...defaultFilters, images: true })).toBe(true);
  });
});

describe("nextSort", () => {
  it("flips the direction of the current column", () => {
    expect(nextSort({ sort: "prompt", dir: "asc" }, "prompt")).toEqual({ sort: "prompt", dir: "desc" });
    expect(nextSort({ sort: "prompt", dir: "desc" }, "prompt")).toEqual({ sort: "prompt", dir: "asc" });
  });
  it("starts a new column in its natural direction", () => {
    expect(nextSort({ sort: "name", dir: "asc" }, "context")).toEqual({ sort: "context", dir: "desc" });
    expect(nextSort({ sort: "context", dir: "desc" }, "completion")).toEqual({ sort: "completion", dir: "asc" });
  });
});

describe("routingOrder / headlineEndpoint", () => {
  it("puts available endpoints first, cheapest (prompt + completion) first, ties in catalog order", () => {
    const a = endpoint("a", 2, 8);
    const b = endpoint("b", 1, 2, { available: false });
    const c = endpoint("c", 3, 3);
    const d = endpoint("d", 4, 2);
    expect(routingOrder([a, b, c, d]).map((e) => e.provider)).toEqual(["c", "d", "a", "b"]);
  });

  it("picks the cheapest available endpoint even when a cheaper one is unavailable", () => {
    const m = model("x/y", { endpoints: [endpoint("dear", 5, 5), endpoint("cheap-down", 1, 1, { available: false }), endpoint("cheap", 2, 2)] });
    expect(headlineEndpoint(m)?.provider).toBe("cheap");
  });

  it("falls back to the cheapest listed endpoint when none is available, and to null when there are none", () => {
    const m = model("x/y", { endpoints: [endpoint("p", 5, 5, { available: false }), endpoint("q", 1, 1, { available: false })] });
    expect(headlineEndpoint(m)?.provider).toBe("q");
    expect(headlineEndpoint(model("x/z"))).toBeNull();
  });
});

describe("toRows", () => {
  it("summarises each model", () => {
    const rows = toRows(testCatalog);
    const llama = rows.find((r) => r.model.id === "meta-llama/llama-3.3-70b-instruct")!;
    expect(llama.companyName).toBe("Meta");
    expect(llama.headline?.provider).toBe("deepinfra");
    expect(llama.providers).toBe(2);
    expect(llama.availableProviders).toBe(2);
    expect(llama.tools).toBe(false);
    expect(llama.images).toBe(false);
    const gemini = rows.find((r) => r.model.id === "google/gemini-2.5-pro")!;
    expect(gemini.available).toBe(false);
    expect(gemini.tools).toBe(true);
    expect(gemini.images).toBe(true);
  });

  it("shows the company id when the company is missing from the catalog", () => {
    const rows = toRows({ ...testCatalog, companies: [] });
    expect(rows[0]!.companyName).toBe("openai");
  });
});

describe("filterRows", () => {
  it("returns everything with no filters", () => {
    expect(ids({})).toHaveLength(testCatalog.models.length);
  });

  it("searches id, name, description and company name, case-insensitively, every word", () => {
    expect(ids({ q: "GPT-4o" })).toEqual(["openai/gpt-4o", "openai/gpt-4o-mini"]);
    expect(ids({ q: "gpt-4o-mini" })).toEqual(["openai/gpt-4o-mini"]);
    expect(ids({ q: "cheap" })).toEqual(["openai/gpt-4o-mini"]); // description
    expect(ids({ q: "meta" })).toEqual(["meta-llama/llama-3.3-70b-instruct", "meta-llama/llama-guard"]); // company name
    expect(ids({ q: "llama guard" })).toEqual(["meta-llama/llama-guard"]);
    expect(ids({ q: "  " })).toHaveLength(testCatalog.models.length);
    expect(ids({ q: "nothing-like-this" })).toEqual([]);
  });

  it("filters by company", () => {
    expect(ids({ company: "openai" })).toEqual(["openai/gpt-4o", "openai/gpt-4o-mini"]);
    expect(ids({ company: "nobody" })).toEqual([]);
  });

  it("filters by minimum context length", () => {
    expect(ids({ minContext: 1_000_000 })).toEqual(["google/gemini-2.5-pro"]);
    expect(ids({ minContext: 128_000 })).not.toContain("meta-llama/llama-guard");
    expect(ids({ minContext: 128_000 })).toContain("openai/gpt-4o"); // exactly 128,000 counts
    expect(ids({ minContext: 8_000 })).toHaveLength(testCatalog.models.length);
  });

  it("filters by maximum prompt price of the endpoint a request would use", () => {
    // Llama's cheapest provider is 0.10; GPT-4o-mini is 0.15; models without endpoints never match.
    expect(ids({ maxPrompt: 250_000 })).toEqual(["meta-llama/llama-3.3-70b-instruct", "openai/gpt-4o-mini"]);
    expect(ids({ maxPrompt: 150_000 })).toEqual(["meta-llama/llama-3.3-70b-instruct", "openai/gpt-4o-mini"]);
    expect(ids({ maxPrompt: 0 })).toEqual([]);
  });

  it("filters by tools and images support", () => {
    expect(ids({ tools: true })).toEqual(["google/gemini-2.5-pro", "openai/gpt-4o", "openai/gpt-4o-mini"]);
    expect(ids({ images: true })).toEqual(["google/gemini-2.5-pro", "openai/gpt-4o", "openai/gpt-4o-mini"]);
    expect(ids({ tools: true, images: true, company: "openai", q: "mini" })).toEqual(["openai/gpt-4o-mini"]);
  });

  it("does not change its input", () => {
    const rows = toRows(testCatalog);
    const copy = [...rows];
    filterRows(rows, { ...defaultFilters, q: "gpt" });
    expect(rows).toEqual(copy);
  });
});

describe("sortRows", () => {
  const rows = toRows(testCatalog);
  const sorted = (sort: ModelFilters["sort"], dir: ModelFilters["dir"]) => sortRows(rows, sort, dir).map((r) => r.model.id);

  it("sorts by name both ways", () => {
    expect(sorted("name", "asc")).toEqual([
      "google/gemini-2.5-pro",
      "meta-llama/llama-3.3-70b-instruct",
      "meta-llama/llama-guard",
      "openai/gpt-4o",
      "openai/gpt-4o-mini",
    ]);
    expect(sorted("name", "desc")[0]).toBe("openai/gpt-4o-mini");
  });

  it("sorts by company name, then model name", () => {
    expect(sorted("company", "asc")).toEqual([
      "google/gemini-2.5-pro",
      "meta-llama/llama-3.3-70b-instruct",
      "meta-llama/llama-guard",
      "openai/gpt-4o",
      "openai/gpt-4o-mini",
    ]);
    expect(sorted("company", "desc").slice(0, 2)).toEqual(["openai/gpt-4o", "openai/gpt-4o-mini"]);
  });

  it("sorts by context length", () => {
    expect(sorted("context", "desc")[0]).toBe("google/gemini-2.5-pro");
    expect(sorted("context", "asc")[0]).toBe("meta-llama/llama-guard");
  });

  it("sorts by price with unpriced models last in both directions", () => {
    expect(sorted("prompt", "asc")).toEqual([
      "meta-llama/llama-3.3-70b-instruct",
      "openai/gpt-4o-mini",
      "google/gemini-2.5-pro",
      "openai/gpt-4o",
      "meta-llama/llama-guard",
    ]);
    expect(sorted("prompt", "desc")).toEqual([
      "openai/gpt-4o",
      "google/gemini-2.5-pro",
      "openai/gpt-4o-mini",
      "meta-llama/llama-3.3-70b-instruct",
      "meta-llama/llama-guard",
    ]);
    expect(sorted("completion", "asc").slice(0, 2)).toEqual(["meta-llama/llama-3.3-70b-instruct", "openai/gpt-4o-mini"]);
    // GPT-4o and Gemini tie on completion price: the name breaks the tie.
    expect(sorted("completion", "desc").slice(0, 2)).toEqual(["google/gemini-2.5-pro", "openai/gpt-4o"]);
  });

  it("sorts by available providers first", () => {
    expect(sorted("providers", "desc")[0]).toBe("meta-llama/llama-3.3-70b-instruct");
    // Gemini lists a provider but none is available: it ranks below models with one available.
    const asc = sorted("providers", "asc");
    expect(asc[0]).toBe("meta-llama/llama-guard");
    expect(asc[1]).toBe("google/gemini-2.5-pro");
  });

  it("returns a new array", () => {
    expect(sortRows(rows, "name", "asc")).not.toBe(rows);
  });
});
