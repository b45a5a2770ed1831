import { describe, expect, it } from "vitest";
import { parseInline, parseMarkdown, safeHref } from "./markdown";

describe("parseMarkdown", () => {
  it("reads a fenced code block with its language, keeping its text verbatim", () => {
    const blocks = parseMarkdown("Here:\n\n```python\nprint('<b>hi</b>')\n  x = 1 * 2 * 3\n```\nDone.");
    expect(blocks).toEqual([
      { type: "paragraph", children: [{ type: "text", text: "Here:" }] },
      { type: "code", lang: "python", text: "print('<b>hi</b>')\n  x = 1 * 2 * 3" },
      { type: "paragraph", children: [{ type: "text", text: "Done." }] },
    ]);
  });

  it("shows an unclosed fence (an answer still streaming) as code so far", () => {
    expect(parseMarkdown("```js\nconst a = 1;")).toEqual([{ type: "code", lang: "js", text: "const a = 1;" }]);
  });

  it("reads headings, lists, quotes, rules and tables", () => {
    const blocks = parseMarkdown("# Title\n\n- one\n- **two**\n\n1. first\n2. second\n\n> quoted\n\n---\n\n| a | b |\n|---|--:|\n| 1 | 2 |");
    expect(blocks.map((b) => b.type)).toEqual(["heading", "list", "list", "quote", "rule", "table"]);
    const [, bullets, numbers, , , table] = blocks;
    expect(bullets).toMatchObject({ ordered: false, items: [[{ type: "paragraph" }], [{ type: "paragraph", children: [{ type: "strong" }] }]] });
    expect(numbers).toMatchObject({ ordered: true, start: 1 });
    expect(table).toMatchObject({ align: [null, "right"], rows: [[[{ text: "1" }], [{ text: "2" }]]] });
  });

  it("nests an indented list under its item", () => {
    const [list] = parseMarkdown("- outer\n  - inner\n- next");
    expect(list).toMatchObject({ type: "list", items: [[{ type: "paragraph" }, { type: "list", items: [[{ type: "paragraph" }]] }], [{ type: "paragraph" }]] });
  });

  it("keeps HTML as text", () => {
    expect(parseMarkdown("<script>alert(1)</script>")).toEqual([
      { type: "paragraph", children: [{ type: "text", text: "<script>alert(1)</script>" }] },
    ]);
  });
});

describe("parseInline", () => {
  it("reads code spans, emphasis, strikethrough and escapes", () => {
    expect(parseInline("a `x*y*z` *b* __c__ ~~d~~ \\*e\\*")).toEqual([
      { type: "text", text: "a " },
      { type: "code", text: "x*y*z" },
      { type: "text", text: " " },
      { type: "em", children: [{ type: "text", text: "b" }] },
      { type: "text", text: " " },
      { type: "strong", children: [{ type: "text", text: "c" }] },
      { type: "text", text: " " },
      { type: "del", children: [{ type: "text", text: "d" }] },
      { type: "text", text: " *e*" },
    ]);
  });

  it("leaves snake_case and lone stars alone", () => {
    expect(parseInline("snake_case_name and 2 * 3 * 4")).toEqual([{ type: "text", text: "snake_case_name and 2 * 3 * 4" }]);
  });

  it("links only to web and mail addresses", () => {
    expect(parseInline("[site](https://example.com)")).toEqual([
      { type: "link", href: "https://example.com", children: [{ type: "text", text: "site" }] },
    ]);
    expect(parseInline("[click](javascript:alert(1))")).toEqual([{ type: "text", text: "click" }, { type: "text", text: ")" }]);
    expect(safeHref("data:text/html,hi")).toBeNull();
    expect(safeHref("/relative")).toBeNull();
    expect(safeHref("mailto:a@b.c")).toBe("mailto:a@b.c");
  });
});
