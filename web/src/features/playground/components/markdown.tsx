// Renders an answer's Markdown (data/markdown.ts) as React elements: text is always text, never
// HTML, and links open in a new tab without access to this page.
import { useMemo, type ReactNode } from "react";
import { CopyButton } from "@/components/ui/copy-button";
import { parseMarkdown, type Block, type Inline } from "../data/markdown";

function inlines(nodes: Inline[]): ReactNode[] {
  return nodes.map((n, i) => {
    switch (n.type) {
      case "text":
        return n.text;
      case "br":
        return <br key={i} />;
      case "code":
        return (
          <code key={i} className="rounded bg-foreground/10 px-1 py-0.5 font-mono text-[0.85em]">
            {n.text}
          </code>
        );
      case "strong":
        return <strong key={i}>{inlines(n.children)}</strong>;
      case "em":
        return <em key={i}>{inlines(n.children)}</em>;
      case "del":
        return <del key={i}>{inlines(n.children)}</del>;
      case "link":
        return (
          <a key={i} href={n.href} target="_blank" rel="noopener noreferrer nofollow" className="text-primary underline underline-offset-2">
            {inlines(n.children)}
          </a>
        );
    }
  });
}

const HEADING_CLASS = ["text-lg", "text-base", "text-base", "text-sm", "text-sm", "text-sm"];

function block(b: Block, key: number): ReactNode {
  switch (b.type) {
    case "paragraph":
      return <p key={key}>{inlines(b.children)}</p>;
    case "heading": {
      const H = `h${Math.min(b.level + 2, 6)}` as "h3";
      return (
        <H key={key} className={`${HEADING_CLASS[b.level - 1]} font-semibold`}>
          {inlines(b.children)}
        </H>
      );
    }
    case "code":
      return (
        <div key={key} className="not-first:mt-1 overflow-hidden rounded-lg border bg-background" data-testid="code-block">
          <div className="flex items-center justify-between gap-2 border-b bg-muted/60 py-0.5 pl-3 pr-1 text-xs text-muted-foreground">
            <span className="font-mono">{b.lang || "code"}</span>
            <CopyButton value={b.text} label="Copy code" variant="ghost" className="size-7" />
          </div>
          <pre className="overflow-x-auto p-3 text-[0.8rem] leading-relaxed">
            <code className="font-mono">{b.text}</code>
          </pre>
        </div>
      );
    case "quote":
      return (
        <blockquote key={key} className="grid gap-2 border-l-2 border-foreground/20 pl-3 text-muted-foreground">
          {b.children.map(block)}
        </blockquote>
      );
    case "list": {
      const items = b.items.map((item, i) => (
        <li key={i} className="grid gap-1.5 pl-0.5">
          {item.map((x, j) => (x.type === "paragraph" && item.length === 1 ? <span key={j}>{inlines(x.children)}</span> : block(x, j)))}
        </li>
      ));
      return b.ordered ? (
        <ol key={key} start={b.start} className="grid list-decimal gap-1 pl-5">
          {items}
        </ol>
      ) : (
        <ul key={key} className="grid list-disc gap-1 pl-5">
          {items}
        </ul>
      );
    }
    case "table":
      return (
        <div key={key} className="max-w-full overflow-x-auto">
          <table className="border-collapse text-[0.85em]">
            <thead>
              <tr>
                {b.head.map((c, i) => (
                  <th key={i} className="border border-foreground/15 px-2 py-1 font-semibold" style={{ textAlign: b.align[i] ?? "left" }}>
                    {inlines(c)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {b.rows.map((row, r) => (
                <tr key={r}>
                  {row.map((c, i) => (
                    <td key={i} className="border border-foreground/15 px-2 py-1" style={{ textAlign: b.align[i] ?? "left" }}>
                      {inlines(c)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      );
    case "rule":
      return <hr key={key} className="border-foreground/15" />;
  }
}

export function Markdown({ source }: { source: string }) {
  const blocks = useMemo(() => parseMarkdown(source), [source]);
  return <div className="grid min-w-0 gap-2.5">{blocks.map(block)}</div>;
}
