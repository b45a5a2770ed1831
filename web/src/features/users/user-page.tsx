// An admin's page for one user (reached from the users list): balance and totals, their keys,
// their usage by model over the last 30 UTC days, and their most recent requests.
import { ArrowLeft } from "lucide-react";
import type { ReactNode } from "react";
import { formatDate, formatDateTime, formatNumber, formatRelative, formatTokens } from "@/lib/format";
import { formatUsd, formatUsdExact } from "@/lib/money";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Link } from "@/components/ui/link";
import { PageHeader } from "@/components/ui/page-header";
import { Skeleton } from "@/components/ui/skeleton";
import { EmptyState, ErrorState } from "@/components/ui/states";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { useAdminUser } from "./data/users";

function Figure({ label, value, testId }: { label: string; value: ReactNode; testId?: string }) {
  return (
    <Card className="p-4">
      <p className="text-sm text-muted-foreground">{label}</p>
      <p className="mt-1 text-xl font-semibold tabular-nums [overflow-wrap:anywhere]" data-testid={testId}>
        {value}
      </p>
    </Card>
  );
}

function Section({ title, description, children }: { title: string; description?: string; children: ReactNode }) {
  return (
    <Card>
      <CardHeader>
        <CardTitle>{title}</CardTitle>
        {description && <CardDescription>{description}</CardDescription>}
      </CardHeader>
      <CardContent className="px-2 sm:px-5">{children}</CardContent>
    </Card>
  );
}

export default function AdminUserPage({ params }: { params: Record<string, string> }) {
  const id = /^\d{1,15}$/.test(params.id ?? "") ? Number(params.id) : 0;
  const page = useAdminUser(id);
  const back = (
    <Link to="/admin/users" className="mb-3 inline-flex items-center gap-1.5 text-sm text-muted-foreground hover:text-foreground">
      <ArrowLeft className="size-4" />
      All users
    </Link>
  );

  if (id === 0 || page.isError) {
    return (
      <>
        {back}
        <ErrorState error={page.error ?? new Error("There is no user with this id.")} onRetry={id ? () => page.refetch() : undefined} title="This user could not be loaded" />
      </>
    );
  }
  if (!page.data) {
    return (
      <div className="grid gap-4" aria-busy="true" aria-label="Loading user">
        {back}
        <Skeleton className="h-8 w-64" />
        <Skeleton className="h-24 w-full" />
        <Skeleton className="h-48 w-full" />
      </div>
    );
  }

  const { user, keys, usage, recent_requests: recent } = page.data;
  return (
    <div className="grid grid-cols-[minmax(0,1fr)] gap-6">
      <div>
        {back}
        <PageHeader
          title={<span className="break-all">{user.email}</span>}
          description={
            <span className="flex flex-wrap items-center gap-1.5">
              Joined {formatDate(user.created_at)}
              {user.is_admin && <Badge>Admin</Badge>}
              {user.disabled ? <Badge variant="destructive">Disabled</Badge> : <Badge variant="success">Active</Badge>}
            </span>
          }
        />
        <div className="grid grid-cols-2 gap-3 lg:grid-cols-4">
          <Figure label="Balance" value={formatUsd(user.balance_micros)} testId="user-balance" />
          <Figure label="Credited" value={formatUsd(user.total_credited_micros)} />
          <Figure label="Spent" value={formatUsdExact(user.total_spent_micros)} testId="user-spent" />
          <Figure label="Requests (30 days)" value={formatNumber(usage.totals.requests)} testId="user-requests" />
        </div>
      </div>

      <Section title="Keys" description={keys.length === 1 ? "1 key" : `${keys.length} keys`}>
        {keys.length === 0 ? (
          <p className="px-3 py-4 text-sm text-muted-foreground">No keys.</p>
        ) : (
          <Table aria-label="Keys">
            <TableHeader>
              <TableRow className="hover:bg-transparent">
                <TableHead>Name</TableHead>
                <TableHead className="text-right">Usage</TableHead>
                <TableHead className="max-sm:hidden">Last used</TableHead>
                <TableHead>Status</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {keys.map((k) => (
                <TableRow key={k.id}>
                  <TableCell className="max-w-56">
                    <span className="block truncate font-medium" title={k.name}>
                      {k.name}
                    </span>
                    <span className="font-mono text-xs text-muted-foreground">{k.prefix}</span>
                  </TableCell>
                  <TableCell className="whitespace-nowrap text-right tabular-nums">
                    {formatUsdExact(k.usage_micros)}
                    {k.limit_micros !== null && <span className="block text-xs text-muted-foreground">of {formatUsd(k.limit_micros)}</span>}
                  </TableCell>
                  <TableCell className="whitespace-nowrap text-muted-foreground max-sm:hidden" title={formatDateTime(k.last_used_at, { zone: true })}>
                    {formatRelative(k.last_used_at)}
                  </TableCell>
                  <TableCell>{k.disabled ? <Badge variant="secondary">Disabled</Badge> : <Badge variant="success">Active</Badge>}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </Section>

      <Section title="Usage by model" description={`The last 30 days (UTC): ${formatUsdExact(usage.totals.cost_micros)} over ${formatNumber(usage.totals.requests)} requests.`}>
        {usage.by_model.length === 0 ? (
          <p className="px-3 py-4 text-sm text-muted-foreground">No requests in the last 30 days.</p>
        ) : (
          <Table aria-label="Usage by model">
            <TableHeader>
              <TableRow className="hover:bg-transparent">
                <TableHead>Model</TableHead>
                <TableHead className="text-right">Requests</TableHead>
                <TableHead className="text-right max-sm:hidden">Tokens</TableHead>
                <TableHead className="text-right">Spend</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {usage.by_model.map((b) => (
                <TableRow key={b.group} data-testid="user-usage-row">
                  <TableCell className="max-w-56 truncate font-medium" title={b.group}>
                    {b.group || "Unknown model"}
                  </TableCell>
                  <TableCell className="text-right tabular-nums">{formatNumber(b.requests)}</TableCell>
                  <TableCell className="text-right tabular-nums max-sm:hidden">{formatTokens(b.prompt_tokens + b.completion_tokens)}</TableCell>
                  <TableCell className="whitespace-nowrap text-right tabular-nums">{formatUsdExact(b.cost_micros)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </Section>

      <Section title="Recent requests" description="Their 20 newest requests, newest first.">
        {recent.length === 0 ? (
          <EmptyState title="No requests yet" description="Requests made with this user's keys show up here." />
        ) : (
          <Table aria-label="Recent requests">
            <TableHeader>
              <TableRow className="hover:bg-transparent">
                <TableHead className="max-sm:hidden">Time</TableHead>
                <TableHead>Model</TableHead>
                <TableHead>Status</TableHead>
                <TableHead className="text-right">Cost</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {recent.map((l) => (
                <TableRow key={l.id} data-testid="user-request-row" title={l.id}>
                  <TableCell className="whitespace-nowrap text-muted-foreground max-sm:hidden" title={formatDateTime(l.created_at, { zone: true })}>
                    {formatRelative(l.created_at)}
                  </TableCell>
                  <TableCell className="max-w-48" title={l.model}>
                    <span className="block truncate">{l.model}</span>
                    {/* Phones: the time under the model, so the cost keeps its column. */}
                    <span className="block text-xs text-muted-foreground sm:hidden">{formatRelative(l.created_at)}</span>
                  </TableCell>
                  <TableCell>
                    <Badge variant={l.status < 400 ? "success" : l.status < 500 ? "warning" : "destructive"}>{l.status}</Badge>
                  </TableCell>
                  <TableCell className="whitespace-nowrap text-right tabular-nums">{formatUsdExact(l.cost_micros)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </Section>
    </div>
  );
}
