// A small Markdown reader for the playground's answers: the subset models write (paragraphs,
// headings, lists, block quotes, fenced code, tables, rules; code spans, emphasis, strikethrough,
// links). It builds a tree of plain data that components/markdown.tsx turns into React elements:
// nothing is ever parsed as HTML, so text such as "<script>" stays text, and links keep only
// http(s) and mailto addresses. An unclosed code fence (an answer still streaming) is code so far.

export type Inline =
  | { type: "text"; text: string }
  | { type: "code"; text: string }
  | { type: "strong" | "em" | "del"; children: Inline[] }
  | { type: "link"; href: string; children: Inline[] }
  | { type: "br" };

export type Block =
  | { type: "paragraph"; children: Inline[] }
  | { type: "heading"; level: 1 | 2 | 3 | 4 | 5 | 6; children: Inline[] }
  | { type: "code"; lang: string; text: string }
  | { type: "quote"; children: Block[] }
  | { type: "list"; ordered: boolean; start: number; items: Block[][] }
  | { type: "table"; align: ("left" | "center" | "right" | null)[]; head: Inline[][]; rows: Inline[][][] }
  | { type: "rule" };

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([^`\s]*)[^`]*$/;
const HEADING = /^ {0,3}(#{1,6})(?:\s+(.*?))?(?:\s+#+)?\s*$/;
const RULE = /^ {0,3}((?:\*\s*){3,}|(?:-\s*){3,}|(?:_\s*){3,})$/;
const QUOTE = /^ {0,3}> ?/;
const ITEM = /^( {0,3})([-*+]|(\d{1,9})[.)])(\s+|$)/;
const TABLE_SEP = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;

const blank = (line: string) => line.trim() === "";

function startsBlock(line: string): boolean {
  return FENCE.test(line) || HEADING.test(line) || RULE.test(line) || QUOTE.test(line) || ITEM.test(line);
}

function splitRow(line: string): string[] {
  let s = line.trim();
  if (s.startsWith("|")) s = s.slice(1);
  if (s.endsWith("|") && !s.endsWith("\\|")) s = s.slice(0, -1);
  const cells: string[] = [];
  let cur = "";
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "\\" && s[i + 1] === "|") {
      cur += "|";
      i++;
    } else if (s[i] === "|") {
      cells.push(cur.trim());
      cur = "";
    } else cur += s[i];
  }
  cells.push(cur.trim());
  return cells;
}

export function parseMarkdown(source: string): Block[] {
  return parseBlocks(source.replace(/\r\n?/g, "\n").split("\n"));
}

function parseBlocks(lines: string[]): Block[] {
  const blocks: Block[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (blank(line)) {
      i++;
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      const marker = fence[1]!;
      const body: string[] = [];
      i++;
      while (i < lines.length && !(lines[i]!.trim().startsWith(marker) && lines[i]!.trim().replace(/[`~]/g, "") === "")) {
        body.push(lines[i]!);
        i++;
      }
      i++; // the closing fence (or past the end)
      blocks.push({ type: "code", lang: fence[2] ?? "", text: body.join("\n") });
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      blocks.push({ type: "heading", level: heading[1]!.length as 1, children: parseInline(heading[2] ?? "") });
      i++;
      continue;
    }
    if (RULE.test(line)) {
      blocks.push({ type: "rule" });
      i++;
      continue;
    }
    if (QUOTE.test(line)) {
      const body: string[] = [];
      while (i < lines.length && !blank(lines[i]!) && (QUOTE.test(lines[i]!) || body.length > 0)) {
        if (!QUOTE.test(lines[i]!) && startsBlock(lines[i]!)) break;
        body.push(lines[i]!.replace(QUOTE, ""));
        i++;
      }
      blocks.push({ type: "quote", children: parseBlocks(body) });
      continue;
    }
    const item = ITEM.exec(line);
    if (item) {
      const ordered = item[3] !== undefined;
      const start = ordered ? Number(item[3]) : 1;
      const items: Block[][] = [];
      while (i < lines.length) {
        const m = ITEM.exec(lines[i]!);
        if (!m || (m[3] !== undefined) !== ordered) break;
        const indent = m[0].length;
        const body = [lines[i]!.slice(indent)];
        i++;
        // The item goes on while lines are indented under it, or continue its paragraph.
        while (i < lines.length) {
          const l = lines[i]!;
          if (blank(l)) {
            const next = lines.slice(i + 1).find((x) => !blank(x));
            if (next !== undefined && /^\s+/.test(next) && next.length - next.trimStart().length >= Math.min(indent, 2)) {
              body.push("");
              i++;
              continue;
            }
            break;
          }
          const lead = l.length - l.trimStart().length;
          if (lead >= Math.min(indent, 2)) body.push(l.slice(Math.min(lead, indent)));
          else if (!startsBlock(l) && !blank(body[body.length - 1]!)) body.push(l);
          else break;
          i++;
        }
        items.push(parseBlocks(body));
        while (i < lines.length && blank(lines[i]!) && lines.slice(i).find((x) => !blank(x))?.match(ITEM)) i++;
      }
      blocks.push({ type: "list", ordered, start, items });
      continue;
    }
    if (line.includes("|") && i + 1 < lines.length && TABLE_SEP.test(lines[i + 1]!) && lines[i + 1]!.includes("-")) {
      const head = splitRow(line);
      const align = splitRow(lines[i + 1]!).map((c) =>
        c.startsWith(":") && c.endsWith(":") ? "center" : c.endsWith(":") ? "right" : c.startsWith(":") ? "left" : null,
      );
      i += 2;
      const rows: Inline[][][] = [];
      while (i < lines.length && !blank(lines[i]!) && lines[i]!.includes("|")) {
        const cells = splitRow(lines[i]!);
        rows.push(head.map((_, c) => parseInline(cells[c] ?? "")));
        i++;
      }
      blocks.push({ type: "table", align: head.map((_, c) => align[c] ?? null), head: head.map(parseInline), rows });
      continue;
    }
    const para: string[] = [];
    while (i < lines.length && !blank(lines[i]!) && (para.length === 0 || !startsBlock(lines[i]!))) {
      para.push(lines[i]!.trim());
      i++;
    }
    blocks.push({ type: "paragraph", children: parseInline(para.join("\n")) });
  }
  return blocks;
}

/** Only addresses that open a page or a mail: no javascript:, data: or relative links. */
export function safeHref(href: string): string | null {
  const h = href.trim();
  return /^(https?:\/\/|mailto:)[^\s]+$/i.test(h) ? h : null;
}

const ESCAPABLE = "\\`*_{}[]()#+-.!~>|<";

export function parseInline(text: string): Inline[] {
  const out: Inline[] = [];
  let buf = "";
  const flush = () => {
    if (buf) out.push({ type: "text", text: buf });
    buf = "";
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    const rest = text.slice(i);
    if (c === "\\" && i + 1 < text.length && ESCAPABLE.includes(text[i + 1]!)) {
      buf += text[i + 1];
      i += 2;
      continue;
    }
    if (c === "\n") {
      flush();
      out.push({ type: "br" });
      i++;
      continue;
    }
    if (c === "`") {
      const run = /^`+/.exec(rest)![0];
      const close = text.indexOf(run, i + run.length);
      if (close > 0) {
        flush();
        let code = text.slice(i + run.length, close).replace(/\n/g, " ");
        if (code.length > 2 && code.startsWith(" ") && code.endsWith(" ")) code = code.slice(1, -1);
        out.push({ type: "code", text: code });
        i = close + run.length;
        continue;
      }
      buf += run;
      i += run.length;
      continue;
    }
    const link = /^\[([^\]\n]+)\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/.exec(rest);
    if (c === "[" && link) {
      flush();
      const href = safeHref(link[2]!);
      const children = parseInline(link[1]!);
      if (href) out.push({ type: "link", href, children });
      else out.push(...children);
      i += link[0].length;
      continue;
    }
    const auto = /^<((?:https?:\/\/|mailto:)[^>\s]+)>/i.exec(rest);
    if (c === "<" && auto) {
      flush();
      out.push({ type: "link", href: auto[1]!, children: [{ type: "text", text: auto[1]! }] });
      i += auto[0].length;
      continue;
    }
    const prev = i > 0 ? text[i - 1]! : " ";
    const delimited = (marker: string, type: "strong" | "em" | "del", wordSafe: boolean): boolean => {
      if (!rest.startsWith(marker)) return false;
      const after = text[i + marker.length];
      if (after === undefined || /\s/.test(after)) return false;
      if (wordSafe && /\w/.test(prev)) return false;
      let from = i + marker.length + 1;
      while (from <= text.length) {
        const close = text.indexOf(marker, from);
        if (close < 0) return false;
        const before = text[close - 1]!;
        const next = text[close + marker.length];
        const okEnd = !/\s/.test(before) && !(wordSafe && next !== undefined && /\w/.test(next));
        // "**" is not the end of an "*" span.
        const notLonger = marker.length === 1 ? next !== marker && before !== marker : true;
        if (okEnd && notLonger) {
          flush();
          out.push({ type, children: parseInline(text.slice(i + marker.length, close)) });
          i = close + marker.length;
          return true;
        }
        from = close + 1;
      }
      return false;
    };
    if (
      (c === "*" && (delimited("**", "strong", false) || delimited("*", "em", false))) ||
      (c === "_" && (delimited("__", "strong", true) || delimited("_", "em", true))) ||
      (c === "~" && delimited("~~", "del", false))
    ) {
      continue;
    }
    buf += c;
    i++;
  }
  flush();
  return out;
}
