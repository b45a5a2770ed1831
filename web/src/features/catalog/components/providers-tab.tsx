import { Plus, Server } from "lucide-react";
import { useState } from "react";
import { useMediaQuery, WIDE } from "@/hooks/use-media-query";
import type { Provider } from "@/lib/api";
import { formatMs, formatNumber, formatRelative } from "@/lib/format";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/states";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { useDeleteProvider, type AdminCatalog, type AdminProvider } from "../data/catalog";
import { ConfirmDeleteDialog } from "./confirm-delete-dialog";
import { ProviderDialog } from "./provider-dialog";
import { RowActions } from "./row-menu";

const adapterShort: Record<Provider["adapter"], string> = { openai: "OpenAI", anthropic: "Anthropic", gemini: "Gemini" };

function Health({ h }: { h: Provider["health"] }) {
  if (h.requests === 0) return <span className="text-sm text-muted-foreground">No traffic yet</span>;
  const pct = h.error_rate * 100;
  return (
    <div className="grid gap-0.5 text-xs" title={h.last_failure_at ? `Last failure ${formatRelative(h.last_failure_at)}` : undefined}>
      <span className="tabular-nums">
        <span className={pct >= 5 ? "font-medium text-destructive" : pct > 0 ? "text-foreground" : "text-success"}>
          {pct < 0.1 && pct > 0 ? "<0.1" : pct.toFixed(pct >= 10 ? 0 : 1)}% errors
        </span>
        {" · "}
        {formatNumber(h.requests)} {h.requests === 1 ? "call" : "calls"}
      </span>
      <span className="tabular-nums text-muted-foreground">
        {h.latency_ms !== null ? formatMs(h.latency_ms) + " latency" : "No answers yet"}
        {h.throughput_tps !== null && h.throughput_tps !== undefined ? ` · ${Math.round(h.throughput_tps)} tok/s` : ""}
      </span>
    </div>
  );
}

/** Why a provider that `used` models are served by cannot be deleted, or null when it can. */
function deleteBlocked(used: number): string | null {
  return used > 0 ? `${used} ${used === 1 ? "model uses" : "models use"} it. Remove those endpoints first, or switch it off.` : null;
}

/** The server's reason ("GROQ_API_KEY is not set") as a sentence. */
function sentence(reason: string): string {
  const s = reason.trim();
  return s.charAt(0).toUpperCase() + s.slice(1) + (/[.!?]$/.test(s) ? "" : ".");
}

/** Whether the provider is switched on and available, and if not, why (as the server says). */
function Status({ provider: p }: { provider: AdminProvider }) {
  if (p.available) return <Badge variant="success">Available</Badge>;
  const reason = p.unavailable_reason ? sentence(p.unavailable_reason) : p.enabled ? "The gateway has not loaded it yet." : null;
  return (
    <div className="grid justify-items-start gap-1">
      {p.enabled ? <Badge variant="warning">Unavailable</Badge> : <Badge variant="secondary">Switched off</Badge>}
      {reason && (
        <p className="max-w-60 text-xs text-muted-foreground">
          {reason}
        </p>
      )}
    </div>
  );
}

/** Live health from the public catalog; a dash while it is not known. */
function HealthCell({ h }: { h: Provider["health"] | undefined }) {
  if (!h) return <span className="text-sm text-muted-foreground">—</span>;
  return <Health h={h} />;
}

export function ProvidersTab({ catalog, health }: { catalog: AdminCatalog; health?: Record<string, Provider["health"]> }) {
  const wide = useMediaQuery(WIDE);
  const [dialog, setDialog] = useState<{ provider: AdminProvider | null } | null>(null);
  const [deleting, setDeleting] = useState<AdminProvider | null>(null);
  const remove = useDeleteProvider();
  const usage = (id: string) => catalog.models.filter((m) => m.endpoints.some((e) => e.provider === id)).length;

  return (
    <div className="grid gap-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <p className="text-sm text-muted-foreground">Upstream APIs the gateway routes to. Keys live in the server's environment, never here.</p>
        <Button onClick={() => setDialog({ provider: null })}>
          <Plus aria-hidden />
          Add provider
        </Button>
      </div>
      {catalog.providers.length === 0 ? (
        <EmptyState
          icon={<Server />}
          title="No providers yet"
          description="Add one, such as OpenAI or Groq, then give models prices at it."
          action={<Button onClick={() => setDialog({ provider: null })}>Add provider</Button>}
        />
      ) : !wide ? (
        <ul className="grid gap-3" aria-label="Providers">
          {catalog.providers.map((p) => {
            const used = usage(p.id);
            return (
              <li key={p.id}>
                <Card className="grid gap-2.5 p-4" data-testid="provider-card">
                  <div className="flex items-start justify-between gap-2">
                    <div className="min-w-0">
                      <p className="font-medium">{p.name}</p>
                      <p className="text-xs text-muted-foreground">
                        <span className="font-mono">{p.id}</span> · {adapterShort[p.adapter]} API
                      </p>
                    </div>
                    <Status provider={p} />
                  </div>
                  <dl className="grid gap-1 text-sm">
                    <div className="flex min-w-0 gap-2">
                      <dt className="shrink-0 text-muted-foreground">URL</dt>
                      <dd className="min-w-0 truncate font-mono text-xs leading-5" title={p.base_url}>
                        {p.base_url}
                      </dd>
                    </div>
                    {p.base_url_env && (
                      <div className="flex min-w-0 gap-2">
                        <dt className="shrink-0 text-muted-foreground">URL override in</dt>
                        <dd className="min-w-0 truncate font-mono text-xs leading-5">{p.base_url_env}</dd>
                      </div>
                    )}
                    <div className="flex gap-2">
                      <dt className="shrink-0 text-muted-foreground">Key in</dt>
                      <dd className="font-mono text-xs leading-5">{p.key_env ?? "—"}</dd>
                    </div>
                  </dl>
                  <HealthCell h={health?.[p.id]} />
                  <RowActions label={p.name} onEdit={() => setDialog({ provider: p })} onDelete={() => setDeleting(p)} blockedReason={deleteBlocked(used)} card />
                </Card>
              </li>
            );
          })}
        </ul>
      ) : (
        <Card className="overflow-hidden">
          <Table>
            <TableHeader>
              <TableRow className="hover:bg-transparent">
                <TableHead>Provider</TableHead>
                <TableHead>Base URL</TableHead>
                <TableHead>Credential variable</TableHead>
                <TableHead>Status</TableHead>
                <TableHead>Health</TableHead>
                <TableHead>
                  <span className="sr-only">Actions</span>
                </TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {catalog.providers.map((p) => {
                const used = usage(p.id);
                return (
                  <TableRow key={p.id} data-testid="provider-row">
                    <TableCell className="whitespace-nowrap">
                      <div className="font-medium">{p.name}</div>
                      <div className="text-xs text-muted-foreground">
                        <span className="font-mono">{p.id}</span> · {adapterShort[p.adapter]} API
                      </div>
                    </TableCell>
                    <TableCell className="max-w-52">
                      <span className="block truncate font-mono text-xs" title={p.base_url}>
                        {p.base_url}
                      </span>
                      {p.base_url_env && (
                        <span className="block truncate text-xs text-muted-foreground">
                          Override in <code className="font-mono">{p.base_url_env}</code>
                        </span>
                      )}
                    </TableCell>
                    <TableCell>
                      {p.key_env ? <code className="font-mono text-xs">{p.key_env}</code> : <span className="text-muted-foreground">None</span>}
                    </TableCell>
                    <TableCell>
                      <Status provider={p} />
                    </TableCell>
                    <TableCell className="whitespace-nowrap">
                      <HealthCell h={health?.[p.id]} />
                    </TableCell>
                    <TableCell className="py-1.5">
                      <RowActions label={p.name} onEdit={() => setDialog({ provider: p })} onDelete={() => setDeleting(p)} blockedReason={deleteBlocked(used)} />
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </Card>
      )}

      <ProviderDialog
        open={dialog !== null}
        onOpenChange={(open) => !open && setDialog(null)}
        provider={dialog?.provider ?? null}
      />
      <ConfirmDeleteDialog
        item={deleting}
        onClose={() => setDeleting(null)}
        description="The gateway stops knowing about it. Its past requests stay in the logs."
        confirmLabel="Delete provider"
        mutation={remove}
        errorTitle="The provider was not deleted"
      />
    </div>
  );
}
