import { useMutation, useQueryClient } from "@tanstack/react-query";
import { LogOut } from "lucide-react";
import { useState, type FormEvent } from "react";
import { api, ApiError, call } from "@/lib/api";
import { formatUsd, microsToUsdText, parseUsd } from "@/lib/money";
import { queryKeys, useMe } from "@/lib/queries";
import { navigate } from "@/lib/router";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Input } from "@/components/ui/input";
import { Field } from "@/components/ui/label";
import { PageHeader } from "@/components/ui/page-header";
import { FormError } from "@/components/ui/states";
import { toast } from "@/components/ui/toast";
import { UsdInput } from "@/components/ui/usd-input";
import { ProviderPreferencesCard } from "./provider-preferences";

type PasswordErrors = { current?: string; next?: string; confirm?: string };

function PasswordCard() {
  const queryClient = useQueryClient();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [confirm, setConfirm] = useState("");
  const [errors, setErrors] = useState<PasswordErrors>({});
  const change = useMutation({
    mutationFn: () => call(() => api.POST("/api/me/password", { body: { current_password: current, new_password: next } })),
    onSuccess: async () => {
      setCurrent("");
      setNext("");
      setConfirm("");
      toast.success("Password changed", "Every other browser and device is signed out; this one stays signed in.");
      await queryClient.invalidateQueries({ queryKey: queryKeys.me });
    },
    onError: (e) => {
      if (e instanceof ApiError && e.param === "current_password") setErrors({ current: "That is not your current password." });
      else if (e instanceof ApiError && e.param === "new_password") setErrors({ next: e.message });
    },
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const errs: PasswordErrors = {};
    if (!current) errs.current = "Enter your current password.";
    if (next.length < 8) errs.next = "Use at least 8 characters.";
    else if (next.length > 256) errs.next = "Use at most 256 characters.";
    else if (next === current) errs.next = "Choose a password other than the current one.";
    if (!errs.next && confirm !== next) errs.confirm = "The two new passwords differ.";
    setErrors(errs);
    if (Object.keys(errs).length === 0) change.mutate();
  };
  const fieldError = change.error instanceof ApiError && (change.error.param === "current_password" || change.error.param === "new_password");

  return (
    <Card>
      <CardHeader>
        <CardTitle>Password</CardTitle>
        <CardDescription>Changing it signs out every other browser and device; API keys keep working.</CardDescription>
      </CardHeader>
      <CardContent>
        <form className="grid max-w-sm gap-4" onSubmit={submit} noValidate>
          <Field id="current-password" label="Current password" error={errors.current}>
            <Input id="current-password" type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} aria-invalid={!!errors.current} />
          </Field>
          <Field id="new-password" label="New password" hint="At least 8 characters." error={errors.next}>
            <Input id="new-password" type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} aria-invalid={!!errors.next} />
          </Field>
          <Field id="confirm-password" label="New password again" error={errors.confirm}>
            <Input id="confirm-password" type="password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} aria-invalid={!!errors.confirm} />
          </Field>
          {change.error && !fieldError && <FormError error={change.error} />}
          <Button type="submit" loading={change.isPending} className="w-fit">
            Change password
          </Button>
        </form>
      </CardContent>
    </Card>
  );
}

function LowBalanceCard({ threshold, balance }: { threshold: number | null; balance: number }) {
  const queryClient = useQueryClient();
  const [text, setText] = useState(threshold === null ? "" : microsToUsdText(threshold));
  const [error, setError] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: (micros: number | null) =>
      call(() => api.PUT("/api/me/low-balance-alert", { body: { alert_usd: micros === null ? null : microsToUsdText(micros) } })),
    onSuccess: async (data) => {
      const alert = data.low_balance_alert_micros;
      toast.success(alert === null ? "Low-balance alert turned off" : `You will see an alert in the header while your balance is below ${formatUsd(alert)}`);
      await queryClient.invalidateQueries({ queryKey: queryKeys.me });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const parsed = parseUsd(text, { decimals: 2 });
    if (parsed.error === "empty") {
      setError(null);
      save.mutate(null);
      return;
    }
    if (parsed.error !== null || parsed.micros === 0) {
      setError(parsed.error === "decimals" ? "Use whole cents, like 5.50." : "Enter an amount in dollars above zero, like 5 or 12.50.");
      return;
    }
    setError(null);
    save.mutate(parsed.micros);
  };
  return (
    <Card>
      <CardHeader>
        <CardTitle>Low-balance alert</CardTitle>
        <CardDescription>
          The header shows an alert while your balance ({formatUsd(balance)}) is below this amount, on every browser you sign in from. Leave it empty to turn the alert off.
        </CardDescription>
      </CardHeader>
      <CardContent>
        <form className="flex max-w-sm flex-wrap items-end gap-3" onSubmit={submit} noValidate>
          <Field id="low-balance" label="Alert below (USD)" error={error} className="min-w-40 flex-1">
            <UsdInput id="low-balance" value={text} onChange={(e) => setText(e.target.value)} placeholder="5.00" aria-invalid={!!error} />
          </Field>
          <Button type="submit" variant="outline" loading={save.isPending}>
            Save alert
          </Button>
        </form>
        {save.error && (
          <div className="mt-3">
            <FormError error={save.error} />
          </div>
        )}
        <p className="mt-2 text-xs text-muted-foreground" data-testid="low-balance-state">
          {threshold === null ? "No alert set." : `Alert below ${formatUsd(threshold)}.`}
        </p>
      </CardContent>
    </Card>
  );
}

function SessionsCard() {
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const everywhere = useMutation({
    mutationFn: () => call(() => api.POST("/api/auth/logout-all")),
    onSuccess: () => {
      setOpen(false);
      queryClient.clear();
      navigate("/signin", { replace: true });
    },
  });
  return (
    <Card>
      <CardHeader>
        <CardTitle>Sessions</CardTitle>
        <CardDescription>Sign out of every browser and device signed in to this account, this one included. API keys keep working.</CardDescription>
      </CardHeader>
      <CardContent>
        <Button variant="outline" onClick={() => setOpen(true)}>
          <LogOut aria-hidden />
          Sign out everywhere
        </Button>
        {everywhere.error && (
          <div className="mt-3">
            <FormError error={everywhere.error} />
          </div>
        )}
        <ConfirmDialog
          open={open}
          onOpenChange={setOpen}
          title="Sign out everywhere?"
          description="Every session of this account ends at once, including this one: you will sign in again here."
          confirmLabel="Sign out everywhere"
          loading={everywhere.isPending}
          onConfirm={() => everywhere.mutate()}
        />
      </CardContent>
    </Card>
  );
}

function DeleteAccountCard({ email, isAdmin }: { email: string; isAdmin: boolean }) {
  const queryClient = useQueryClient();
  const [typed, setTyped] = useState("");
  const matches = typed.trim().toLowerCase() === email.toLowerCase();
  const remove = useMutation({
    mutationFn: () => call(() => api.DELETE("/api/me", { body: { confirm_email: typed.trim() } })),
    onSuccess: () => {
      queryClient.clear();
      navigate("/signin", { replace: true });
    },
  });
  return (
    <Card className="border-destructive/40">
      <CardHeader>
        <CardTitle>Delete account</CardTitle>
        <CardDescription>This cannot be undone. Deleting the account:</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        <ul className="grid list-disc gap-1 pl-5 text-sm text-muted-foreground" data-testid="delete-consequences">
          <li>deletes every API key at once: requests with them are refused;</li>
          <li>signs out every browser and device;</li>
          <li>forfeits the remaining credit balance: it is not refunded;</li>
          <li>keeps the ledger and request logs as the record of what was paid and spent (log retention removes logs as usual);</li>
          <li>frees the email: it can sign up again, as a new, empty account.</li>
        </ul>
        {isAdmin ? (
          <p className="text-sm">An admin account cannot be deleted here: another admin must first take away its admin role.</p>
        ) : (
          <form
            className="flex max-w-lg flex-wrap items-end gap-3"
            onSubmit={(e) => {
              e.preventDefault();
              if (matches) remove.mutate();
            }}
            noValidate
          >
            <Field id="delete-confirm" label={`Type ${email} to confirm`} className="min-w-56 flex-1">
              <Input id="delete-confirm" type="email" autoComplete="off" value={typed} onChange={(e) => setTyped(e.target.value)} />
            </Field>
            <Button type="submit" variant="destructive" disabled={!matches} loading={remove.isPending}>
              Delete account
            </Button>
          </form>
        )}
        {remove.error && <FormError error={remove.error} />}
      </CardContent>
    </Card>
  );
}

export default function SettingsPage() {
  const me = useMe();
  if (!me.data) return null;
  return (
    <div>
      <PageHeader title="Settings" description={`Your account, ${me.data.user.email}.`} />
      <div className="grid max-w-3xl gap-6">
        <PasswordCard />
        <LowBalanceCard threshold={me.data.low_balance_alert_micros ?? null} balance={me.data.balance_micros} />
        <ProviderPreferencesCard />
        <SessionsCard />
        <DeleteAccountCard email={me.data.user.email} isAdmin={me.data.user.is_admin} />
      </div>
    </div>
  );
}
