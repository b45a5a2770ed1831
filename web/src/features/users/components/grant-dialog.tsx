import { useState, type FormEvent } from "react";
import type { AdminUser } from "@/lib/api";
import { formatUsd, microsToUsdCentsText, parseUsdMicros } from "@/lib/money";
import { cn } from "@/lib/utils";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Field } from "@/components/ui/label";
import { FormError } from "@/components/ui/states";
import { toast } from "@/components/ui/toast";
import { validateGrant, type Direction } from "../data/grant";
import { useGrantCredits } from "../data/users";

/** Adds credits to a user's balance, or takes some away, with a note for their ledger. */
export function GrantDialog({ user, onOpenChange }: { user: AdminUser | null; onOpenChange: (open: boolean) => void }) {
  return (
    <Dialog open={user !== null} onOpenChange={onOpenChange}>
      <DialogContent className="max-w-md">{user && <GrantForm user={user} onDone={() => onOpenChange(false)} />}</DialogContent>
    </Dialog>
  );
}

function GrantForm({ user, onDone }: { user: AdminUser; onDone: () => void }) {
  const [direction, setDirection] = useState<Direction>("grant");
  const [amount, setAmount] = useState("");
  const [note, setNote] = useState("");
  const [amountError, setAmountError] = useState<string | null>(null);
  const grant = useGrantCredits();

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const checked = validateGrant(amount, direction, user.balance_micros);
    if ("error" in checked) {
      setAmountError(checked.error);
      document.getElementById("grant-amount")?.focus();
      return;
    }
    setAmountError(null);
    const usd = microsToUsdCentsText(checked.micros);
    const text = note.trim() || (direction === "grant" ? "Granted by an administrator" : "Deducted by an administrator");
    grant.mutate(
      { id: user.id, grant: { amount_usd: direction === "grant" ? usd : "-" + usd, note: text } },
      {
        onSuccess: (res) => {
          toast.success(
            direction === "grant" ? `Granted $${usd} to ${user.email}` : `Deducted $${usd} from ${user.email}`,
            `New balance: ${formatUsd(res.balance_micros)}`,
          );
          onDone();
        },
      },
    );
  };

  const preview = parseUsdMicros(amount, { decimals: 2 });
  const after = preview === null ? null : user.balance_micros + (direction === "grant" ? preview : -preview);

  return (
    <form onSubmit={submit} noValidate className="grid gap-4">
      <DialogHeader>
        <DialogTitle>{direction === "grant" ? "Grant credits" : "Deduct credits"}</DialogTitle>
        <DialogDescription>
          <span className="break-all font-medium text-foreground">{user.email}</span> has {formatUsd(user.balance_micros)}.
        </DialogDescription>
      </DialogHeader>

      <fieldset className="grid grid-cols-2 gap-1 rounded-lg bg-muted p-1">
        <legend className="sr-only">Add or deduct</legend>
        {(["grant", "deduct"] as const).map((d) => (
          <label
            key={d}
            className={cn(
              "cursor-pointer rounded-md px-3 py-1.5 text-center text-sm font-medium text-muted-foreground transition-colors has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-ring",
              direction === d && "bg-background text-foreground shadow-sm",
            )}
          >
            <input
              type="radio"
              name="grant-direction"
              value={d}
              checked={direction === d}
              onChange={() => {
                setDirection(d);
                setAmountError(null);
              }}
              className="sr-only"
            />
            {d === "grant" ? "Add credits" : "Deduct credits"}
          </label>
        ))}
      </fieldset>

      <Field
        id="grant-amount"
        label="Amount (USD)"
        error={amountError}
        hint={
          after !== null && after >= 0 && preview !== 0
            ? `The balance becomes ${formatUsd(after)}.`
            : direction === "deduct"
              ? "The balance cannot go below $0."
              : "Added to the balance at once."
        }
      >
        <div className="relative">
          <span className="pointer-events-none absolute left-3 top-1/2 -translate-y-1/2 text-sm text-muted-foreground">$</span>
          <Input
            id="grant-amount"
            inputMode="decimal"
            autoComplete="off"
            value={amount}
            onChange={(e) => {
              setAmount(e.target.value);
              setAmountError(null);
            }}
            placeholder="25.00"
            className="pl-7 tabular-nums"
            aria-invalid={!!amountError}
            aria-describedby={amountError ? "grant-amount-error" : "grant-amount-hint"}
            autoFocus
          />
        </div>
      </Field>
      <Field id="grant-note" label="Note" hint="Shown in the user's credit history.">
        <Input
          id="grant-note"
          value={note}
          maxLength={500}
          onChange={(e) => setNote(e.target.value)}
          placeholder={direction === "grant" ? "Welcome credit" : "Refund reversed"}
          aria-describedby="grant-note-hint"
        />
      </Field>
      {grant.error && <FormError error={grant.error} />}
      <DialogFooter>
        <Button variant="outline" onClick={onDone}>
          Cancel
        </Button>
        <Button type="submit" variant={direction === "deduct" ? "destructive" : "default"} loading={grant.isPending}>
          {direction === "grant" ? "Grant credits" : "Deduct credits"}
        </Button>
      </DialogFooter>
    </form>
  );
}
