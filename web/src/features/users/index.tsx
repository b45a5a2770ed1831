import { Search, Users, X } from "lucide-react";
import { useMemo, useState } from "react";
import { useMediaQuery, WIDE } from "@/hooks/use-media-query";
import type { AdminUser } from "@/lib/api";
import { errorMessage } from "@/lib/errors";
import { formatDate, formatDateTime } from "@/lib/format";
import { formatUsd } from "@/lib/money";
import { useMe } from "@/lib/queries";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Link } from "@/components/ui/link";
import { PageHeader } from "@/components/ui/page-header";
import { Skeleton } from "@/components/ui/skeleton";
import { EmptyState, ErrorState } from "@/components/ui/states";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { toast } from "@/components/ui/toast";
import { GrantDialog } from "./components/grant-dialog";
import { UserActions, type Action } from "./components/user-actions";
import { useAdminUsers, useUpdateUser } from "./data/users";

const confirmCopy: Record<Action, (email: string) => { title: string; description: string; label: string; destructive: boolean; done: string }> = {
  disable: (email) => ({
    title: `Disable ${email}?`,
    description:
      "Their API keys stop working at once and they are signed out everywhere. They cannot sign in until you enable them again. Their balance and history stay.",
    label: "Disable user",
    destructive: true,
    done: `${email} is disabled`,
  }),
  enable: (email) => ({
    title: `Enable ${email}?`,
    description: "They can sign in again and their API keys work again.",
    label: "Enable user",
    destructive: false,
    done: `${email} is enabled`,
  }),
  "make-admin": (email) => ({
    title: `Make ${email} an admin?`,
    description: "Admins manage every user, grant and deduct credits, and change providers, models and prices.",
    label: "Make admin",
    destructive: false,
    done: `${email} is now an admin`,
  }),
  "remove-admin": (email) => ({
    title: `Remove admin rights from ${email}?`,
    description: "They keep their account, keys and credits, but lose access to the admin pages.",
    label: "Remove admin",
    destructive: true,
    done: `${email} is no longer an admin`,
  }),
};

function LoadingRows() {
  return (
    <>
      {Array.from({ length: 6 }, (_, i) => (
        <TableRow key={i}>
          <TableCell>
            <Skeleton className="h-5 w-48" />
          </TableCell>
          <TableCell>
            <Skeleton className="h-5 w-24" />
          </TableCell>
          <TableCell>
            <Skeleton className="ml-auto h-5 w-16" />
          </TableCell>
          <TableCell>
            <Skeleton className="h-5 w-14 rounded-full" />
          </TableCell>
          <TableCell>
            <Skeleton className="h-5 w-16 rounded-full" />
          </TableCell>
          <TableCell>
            <Skeleton className="ml-auto h-8 w-36" />
          </TableCell>
        </TableRow>
      ))}
    </>
  );
}

export default function AdminUsersPage() {
  const me = useMe();
  const users = useAdminUsers();
  const wide = useMediaQuery(WIDE);
  const update = useUpdateUser();
  const [query, setQuery] = useState("");
  const [grantFor, setGrantFor] = useState<AdminUser | null>(null);
  const [pending, setPending] = useState<{ user: AdminUser; action: Action } | null>(null);

  const list = useMemo(() => {
    const q = query.trim().toLowerCase();
    const all = users.data ?? [];
    return q ? all.filter((u) => u.email.includes(q)) : all;
  }, [users.data, query]);

  const counts = useMemo(() => {
    const all = users.data ?? [];
    return { total: all.length, admins: all.filter((u) => u.is_admin).length, disabled: all.filter((u) => u.disabled).length };
  }, [users.data]);

  const myId = me.data?.user.id;
  const copy = pending ? confirmCopy[pending.action](pending.user.email) : null;

  const confirm = () => {
    if (!pending || !copy) return;
    const change =
      pending.action === "disable"
        ? { disabled: true }
        : pending.action === "enable"
          ? { disabled: false }
          : { is_admin: pending.action === "make-admin" };
    update.mutate(
      { id: pending.user.id, change },
      {
        onSuccess: () => {
          toast.success(copy.done);
          setPending(null);
        },
        onError: (e) => toast.error("The change was not made", errorMessage(e)),
      },
    );
  };

  return (
    <div>
      <PageHeader
        title="Users"
        description={
          users.data
            ? `${counts.total} ${counts.total === 1 ? "user" : "users"} · ${counts.admins} ${counts.admins === 1 ? "admin" : "admins"}${counts.disabled ? ` · ${counts.disabled} disabled` : ""}`
            : "Everyone with an account on this server."
        }
      />

      <div className="mb-4 max-w-sm">
        <Label htmlFor="user-search" className="sr-only">
          Search by email
        </Label>
        <div className="relative">
          <Search className="pointer-events-none absolute left-3 top-1/2 size-4 -translate-y-1/2 text-muted-foreground" aria-hidden />
          <Input
            id="user-search"
            type="search"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            placeholder="Search by email"
            className="pl-9"
            autoComplete="off"
          />
        </div>
      </div>

      {users.isError ? (
        <ErrorState error={users.error} onRetry={() => users.refetch()} title="The users could not be loaded" />
      ) : users.data && list.length === 0 ? (
        query ? (
          <EmptyState
            icon={<Search />}
            title={`No user matches “${query.trim()}”`}
            description="Search looks for part of an email address."
            action={
              <Button variant="outline" size="sm" onClick={() => setQuery("")}>
                <X aria-hidden />
                Clear search
              </Button>
            }
          />
        ) : (
          <EmptyState icon={<Users />} title="No users yet" description="People appear here when they sign up." />
        )
      ) : !wide ? (
        <ul className="grid gap-3" aria-label="Users">
          {users.isPending
            ? Array.from({ length: 4 }, (_, i) => (
                <li key={i}>
                  <Card className="grid gap-3 p-4">
                    <Skeleton className="h-5 w-48" />
                    <Skeleton className="h-4 w-32" />
                    <Skeleton className="h-8 w-full" />
                  </Card>
                </li>
              ))
            : list.map((u) => {
                const self = u.id === myId;
                return (
                  <li key={u.id}>
                    <Card className="grid gap-3 p-4" data-testid="user-card">
                      <div className="flex min-w-0 items-start justify-between gap-2">
                        <div className="min-w-0">
                          <Link to={`/admin/users/${u.id}`} className="block truncate font-medium hover:underline" title={`Open ${u.email}'s page`}>
                            {u.email}
                          </Link>
                          <p className="text-xs text-muted-foreground">Joined {formatDate(u.created_at)}</p>
                        </div>
                        <p className="shrink-0 font-medium tabular-nums">{formatUsd(u.balance_micros)}</p>
                      </div>
                      <div className="flex flex-wrap items-center gap-1.5">
                        {self && <Badge variant="outline">You</Badge>}
                        {u.is_admin && <Badge>Admin</Badge>}
                        {u.disabled ? <Badge variant="destructive">Disabled</Badge> : <Badge variant="success">Active</Badge>}
                        <div className="ml-auto">
                          <UserActions user={u} self={self} onGrant={() => setGrantFor(u)} onAction={(action) => setPending({ user: u, action })} labelled />
                        </div>
                      </div>
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
                <TableHead>Email</TableHead>
                <TableHead>Joined</TableHead>
                <TableHead className="text-right">Balance</TableHead>
                <TableHead>Role</TableHead>
                <TableHead>Status</TableHead>
                <TableHead className="text-right">
                  <span className="sr-only">Actions</span>
                </TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {users.isPending ? (
                <LoadingRows />
              ) : (
                list.map((u) => {
                  const self = u.id === myId;
                  return (
                    <TableRow key={u.id} data-testid="user-row">
                      <TableCell className="max-w-72">
                        <div className="flex items-center gap-2">
                          <Link to={`/admin/users/${u.id}`} className="truncate font-medium hover:underline" title={`Open ${u.email}'s page`}>
                            {u.email}
                          </Link>
                          {self && <Badge variant="outline">You</Badge>}
                        </div>
                      </TableCell>
                      <TableCell className="whitespace-nowrap text-muted-foreground" title={formatDateTime(u.created_at)}>
                        {formatDate(u.created_at)}
                      </TableCell>
                      <TableCell className="whitespace-nowrap text-right tabular-nums">{formatUsd(u.balance_micros)}</TableCell>
                      <TableCell>{u.is_admin ? <Badge>Admin</Badge> : <span className="text-muted-foreground">User</span>}</TableCell>
                      <TableCell>{u.disabled ? <Badge variant="destructive">Disabled</Badge> : <Badge variant="success">Active</Badge>}</TableCell>
                      <TableCell className="py-1.5">
                        <UserActions user={u} self={self} onGrant={() => setGrantFor(u)} onAction={(action) => setPending({ user: u, action })} />
                      </TableCell>
                    </TableRow>
                  );
                })
              )}
            </TableBody>
          </Table>
        </Card>
      )}

      <GrantDialog user={grantFor} onOpenChange={(open) => !open && setGrantFor(null)} />
      <ConfirmDialog
        open={pending !== null}
        onOpenChange={(open) => !open && !update.isPending && setPending(null)}
        title={copy?.title ?? ""}
        description={copy?.description ?? ""}
        confirmLabel={copy?.label ?? ""}
        destructive={copy?.destructive}
        loading={update.isPending}
        onConfirm={confirm}
      />
    </div>
  );
}
