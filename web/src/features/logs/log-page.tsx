import { AlertTriangle, ArrowLeft, ArrowRightLeft, EyeOff, SearchX } from "lucide-react";
import type { ReactNode } from "react";
import { useKeyNames } from "@/hooks/use-key-names";
import { ApiError, type LogDetail } from "@/lib/api";
import { formatMs, formatNumber, formatRelative } from "@/lib/format";
import { formatPricePerMillion, formatUsdExact } from "@/lib/money";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { CopyButton } from "@/components/ui/copy-button";
import { Link } from "@/components/ui/link";
import { Skeleton } from "@/components/ui/skeleton";
import { EmptyState, ErrorState } from "@/components/ui/states";
import { AttemptsList } from "./components/attempts";
import { DetailList } from "./components/detail-list";
import { RoutingList } from "./components/routing";
import { StatusBadge } from "./components/status-badge";
import { CompletionBlock, PromptBlock } from "./components/text-blocks";
import { failoverSummary } from "./data/detail";
import { exactTime } from "./data/format";
import { useCatalogNames, useLog } from "./data/queries";

function BackLink() {
  return (
    <Link
      to="/logs"
      className="mb-4 inline-flex items-center gap-1.5 rounded-sm text-sm text-muted-foreground hover:text-foreground [&_svg]:size-4"
    >
      <ArrowLeft aria-hidden />
      All requests
    </Link>
  );
}

export default function LogPage({ params }: { params: Record<string, string> }) {
  const id = params.id ?? "";
  const query = useLog(id);

  if (query.isError) {
    const notFound = query.error instanceof ApiError && query.error.status === 404;
    return (
      <>
        <BackLink />
        {notFound ? (
          <EmptyState
            icon={<SearchX />}
            title="Request not found"
            description={
              <>
                There is no request <code className="break-all font-mono">{id}</code> in your log. Check the id, or find the request in
                the list.
              </>
            }
            action={
              <Button asChild variant="outline">
                <Link to="/logs">Back to logs</Link>
              </Button>
            }
          />
        ) : (
          <ErrorState error={query.error} onRetry={() => query.refetch()} title="This request could not be loaded" />
        )}
      </>
    );
  }
  if (!query.data) return <DetailSkeleton />;
  return <Detail log={query.data.log} />;
}

function Detail({ log }: { log: LogDetail }) {
  const keys = useKeyNames();
  const { providerName } = useCatalogNames();
  const succeeded = log.status < 400;
  const failover = failoverSummary(log.attempts, succeeded, providerName);
  const key = keys.keys.find((k) => k.id === log.key_id);
  const hasText = log.prompt !== undefined || log.completion !== undefined;

  const overview: [string, ReactNode][] = [
    ["Time", <time dateTime={log.created_at}>{exactTime(log.created_at, true)}</time>],
    [
      "Model",
      <Link to={"/models/" + log.model} className="font-mono text-xs text-primary hover:underline">
        {log.model}
      </Link>,
    ],
    [
      "Provider",
      log.provider ? (
        <>
          {providerName(log.provider)}
          {log.upstream_model && <span className="block font-mono text-xs text-muted-foreground">as {log.upstream_model}</span>}
        </>
      ) : (
        <span className="text-muted-foreground">None reached</span>
      ),
    ],
    [
      "Key",
      <Link to="/keys" className="text-primary hover:underline">
        {keys.name(log.key_id)}
      </Link>,
    ],
    ["Status", <StatusBadge status={log.status} long />],
    ["Finish reason", log.finish_reason ? <code className="font-mono text-xs">{log.finish_reason}</code> : <span className="text-muted-foreground">—</span>],
    ["Streamed", log.streamed ? "Yes" : "No"],
    ["Latency", <span className="tabular-nums">{formatMs(log.latency_ms)}</span>],
    [
      "Time to first token",
      <span className="tabular-nums">{log.ttft_ms !== null ? formatMs(log.ttft_ms) : <span className="text-muted-foreground">No content was sent</span>}</span>,
    ],
  ];

  const usage: [string, ReactNode][] = [
    ["Prompt tokens", <span className="tabular-nums">{formatNumber(log.prompt_tokens)}</span>],
    ["Completion tokens", <span className="tabular-nums">{formatNumber(log.completion_tokens)}</span>],
    ["Cached tokens", <span className="tabular-nums">{formatNumber(log.cached_tokens)}</span>],
    ["Reasoning tokens", <span className="tabular-nums">{formatNumber(log.reasoning_tokens)}</span>],
    ["Cost", <span className="font-medium tabular-nums" data-testid="log-cost">{formatUsdExact(log.cost_micros)}</span>],
    [
      "Usage",
      log.usage_source === "provider" ? (
        <>
          {/* Wraps inside its card on a phone rather than spilling past it. */}
          <Badge variant="secondary" className="max-w-full whitespace-normal" data-testid="usage-source">
            Reported by the provider
          </Badge>
        </>
      ) : (
        <>
          <Badge variant="warning">Estimated</Badge>
          <span className="mt-1 block text-xs text-muted-foreground">The provider did not report token counts, so Turnpike counted them itself.</span>
        </>
      ),
    ],
  ];

  return (
    <>
      <BackLink />
      <div className="mb-6 grid gap-3">
        <div className="flex flex-wrap items-center gap-3">
          <h1 className="text-2xl font-semibold tracking-tight">Request</h1>
          <StatusBadge status={log.status} long />
        </div>
        <p className="text-sm text-muted-foreground">
          {log.model} · {formatRelative(log.created_at)}
        </p>
        <div className="flex min-w-0 items-center gap-2">
          <code className="min-w-0 truncate rounded-md border bg-muted/50 px-2 py-1.5 font-mono text-sm" title={log.id}>
            {log.id}
          </code>
          <CopyButton value={log.id} label="Copy request id" size="sm" className="size-8 px-0" />
        </div>
      </div>

      <div className="grid gap-4">
        {log.error && (
          <div role="note" className="flex gap-3 rounded-lg border border-destructive/30 bg-destructive/5 p-4 text-sm">
            <AlertTriangle className="mt-0.5 size-4 shrink-0 text-destructive" aria-hidden />
            <div className="min-w-0">
              <p className="font-medium text-destructive">{succeeded ? "Error" : "The request failed"}</p>
              <p className="mt-0.5 break-words">{log.error}</p>
            </div>
          </div>
        )}
        {failover && (
          <div role="note" className="flex gap-3 rounded-lg border border-warning/40 bg-warning/10 p-4 text-sm" data-testid="failover">
            <ArrowRightLeft className="mt-0.5 size-4 shrink-0" aria-hidden />
            <p className="min-w-0 break-words font-medium">{failover}</p>
          </div>
        )}

        <div className="grid gap-4 lg:grid-cols-2">
          <Card>
            <CardHeader>
              <CardTitle>Overview</CardTitle>
            </CardHeader>
            <CardContent>
              <DetailList items={overview} />
            </CardContent>
          </Card>
          <Card>
            <CardHeader>
              <CardTitle>Tokens and cost</CardTitle>
            </CardHeader>
            <CardContent className="grid gap-5">
              <DetailList items={usage} />
              <div>
                <p className="mb-2 text-sm font-medium">Charged at (per million tokens)</p>
                {log.prices ? (
                  <DetailList
                    items={[
                      ["Input", <span className="tabular-nums">{formatPricePerMillion(log.prices.input)}</span>],
                      ["Output", <span className="tabular-nums">{formatPricePerMillion(log.prices.output)}</span>],
                      ["Cache read", <span className="tabular-nums">{formatPricePerMillion(log.prices.cache_read)}</span>],
                      ["Cache write", <span className="tabular-nums">{formatPricePerMillion(log.prices.cache_write)}</span>],
                    ]}
                  />
                ) : (
                  <p className="text-sm text-muted-foreground">No provider was reached, so nothing was charged.</p>
                )}
              </div>
            </CardContent>
          </Card>
        </div>

        <Card>
          <CardHeader>
            <CardTitle>Attempts</CardTitle>
            <CardDescription>Every provider the gateway tried for this request, in order.</CardDescription>
          </CardHeader>
          <CardContent>
            <AttemptsList attempts={log.attempts} succeeded={succeeded} providerName={providerName} />
          </CardContent>
        </Card>

        {log.routing.length > 0 && (
          <Card>
            <CardHeader>
              <CardTitle>Routing</CardTitle>
              <CardDescription>How the gateway chose: every candidate in the order it was to be tried, then those the request's preferences left out.</CardDescription>
            </CardHeader>
            <CardContent>
              <RoutingList routing={log.routing} providerName={providerName} />
            </CardContent>
          </Card>
        )}

        {hasText ? (
          <div className="grid gap-4 lg:grid-cols-2">
            <Card className="min-w-0">
              <CardHeader>
                <CardTitle>Prompt</CardTitle>
              </CardHeader>
              <CardContent>
                {log.prompt !== undefined ? <PromptBlock raw={log.prompt} /> : <p className="text-sm text-muted-foreground">No prompt was recorded.</p>}
              </CardContent>
            </Card>
            <Card className="min-w-0">
              <CardHeader>
                <CardTitle>Completion</CardTitle>
              </CardHeader>
              <CardContent>
                {log.completion !== undefined ? (
                  <CompletionBlock text={log.completion} />
                ) : (
                  <p className="text-sm text-muted-foreground">No completion text was produced.</p>
                )}
              </CardContent>
            </Card>
          </div>
        ) : (
          <div className="flex gap-3 rounded-lg border border-dashed p-4 text-sm" data-testid="prompt-logging-off">
            <EyeOff className="mt-0.5 size-4 shrink-0 text-muted-foreground" aria-hidden />
            <div className="min-w-0">
              <p className="font-medium">
                {key?.log_prompts ? "Prompt logging was off for this key when this request was made" : "Prompt logging is off for this key"}
              </p>
              <p className="mt-0.5 text-muted-foreground">
                {key?.log_prompts
                  ? "It is on now, so newer requests keep their prompt and completion text."
                  : "The prompt and completion text were not kept. Turn on prompt logging for the key to keep them for new requests."}{" "}
                <Link to="/keys" className="font-medium text-primary hover:underline">
                  Manage API keys
                </Link>
              </p>
            </div>
          </div>
        )}
      </div>
    </>
  );
}

function DetailSkeleton() {
  return (
    <div aria-busy="true" aria-label="Loading request">
      <BackLink />
      <div className="mb-6 grid gap-3">
        <Skeleton className="h-8 w-48" />
        <Skeleton className="h-5 w-64" />
        <Skeleton className="h-8 w-80 max-w-full" />
      </div>
      <div className="grid gap-4 lg:grid-cols-2">
        {[0, 1].map((i) => (
          <Card key={i}>
            <CardHeader>
              <Skeleton className="h-4 w-28" />
            </CardHeader>
            <CardContent className="grid gap-2.5">
              {Array.from({ length: 7 }, (_, j) => (
                <Skeleton key={j} className="h-5 w-full" />
              ))}
            </CardContent>
          </Card>
        ))}
      </div>
    </div>
  );
}
