import { useState, type ComponentType, type FormEvent } from "react";
import type { Key } from "@/lib/api";
import { formatUsd, microsToUsdCentsText, parseUsdMicros } from "@/lib/money";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Field } from "@/components/ui/label";
import { FormError } from "@/components/ui/states";
import { toast } from "@/components/ui/toast";
import { useUpdateKey } from "../data/keys";
import { KEY_NAME_MAX, validateKeyName, validateLimit } from "../data/key-utils";
import { LimitField } from "./limit-field";

type DialogProps = { keyItem: Key; open: boolean; onOpenChange: (open: boolean) => void };
type FormProps = { keyItem: Key; onDone: () => void };

/** A small dialog holding one of the forms below; the form's `onDone` closes it. */
function KeyDialog({ keyItem, open, onOpenChange, Form }: DialogProps & { Form: ComponentType<FormProps> }) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="max-w-md">
        <Form keyItem={keyItem} onDone={() => onOpenChange(false)} />
      </DialogContent>
    </Dialog>
  );
}

function CancelSave({ onCancel, pending }: { onCancel: () => void; pending: boolean }) {
  return (
    <>
      <Button variant="outline" onClick={onCancel}>
        Cancel
      </Button>
      <Button type="submit" loading={pending}>
        Save
      </Button>
    </>
  );
}

function RenameForm({ keyItem, onDone }: FormProps) {
  const update = useUpdateKey();
  const [name, setName] = useState(keyItem.name);
  const [error, setError] = useState<string | null>(null);
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const problem = validateKeyName(name);
    setError(problem);
    if (problem) return;
    if (name.trim() === keyItem.name) return onDone();
    update.mutate(
      { id: keyItem.id, body: { name: name.trim() } },
      {
        onSuccess: () => {
          toast.success("Key renamed");
          onDone();
        },
      },
    );
  };
  return (
    <form className="grid gap-4" onSubmit={onSubmit} noValidate>
      <DialogHeader>
        <DialogTitle>Rename key</DialogTitle>
        <DialogDescription>The name is only for you; apps using the key are not affected.</DialogDescription>
      </DialogHeader>
      <Field id="rename-key-name" label="Name" error={error}>
        <Input
          id="rename-key-name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          maxLength={KEY_NAME_MAX}
          autoComplete="off"
          autoFocus
          onFocus={(e) => e.currentTarget.select()}
          aria-invalid={!!error}
          aria-describedby={error ? "rename-key-name-error" : undefined}
        />
      </Field>
      <FormError error={update.error} />
      <DialogFooter>
        <CancelSave onCancel={onDone} pending={update.isPending} />
      </DialogFooter>
    </form>
  );
}

export function RenameKeyDialog(props: DialogProps) {
  return <KeyDialog {...props} Form={RenameForm} />;
}

function LimitForm({ keyItem, onDone }: FormProps) {
  const update = useUpdateKey();
  const [limit, setLimit] = useState(keyItem.limit_micros === null ? "" : microsToUsdCentsText(keyItem.limit_micros));
  const [error, setError] = useState<string | null>(null);
  const save = (usd: string | null) =>
    update.mutate(
      { id: keyItem.id, body: { limit_usd: usd } },
      {
        onSuccess: () => {
          toast.success(usd === null ? "Limit removed" : `Limit set to ${formatUsd(parseUsdMicros(usd) ?? 0)}`);
          onDone();
        },
      },
    );
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const result = validateLimit(limit);
    setError(result.error);
    if (!result.error) save(result.usd);
  };
  return (
    <form className="grid gap-4" onSubmit={onSubmit} noValidate>
      <DialogHeader>
        <DialogTitle>Change limit</DialogTitle>
        <DialogDescription>
          Requests with “{keyItem.name}” are refused once it has spent this much. It has spent {formatUsd(keyItem.usage_micros)} so far.
        </DialogDescription>
      </DialogHeader>
      <LimitField id="key-limit-edit" value={limit} onChange={setLimit} error={error} hint="Leave empty for no limit." focus />
      <FormError error={update.error} />
      <DialogFooter className="sm:justify-between">
        {keyItem.limit_micros !== null ? (
          <Button variant="ghost" onClick={() => save(null)} disabled={update.isPending}>
            Remove limit
          </Button>
        ) : (
          <span className="hidden sm:block" />
        )}
        <div className="flex flex-col-reverse gap-2 sm:flex-row">
          <CancelSave onCancel={onDone} pending={update.isPending} />
        </div>
      </DialogFooter>
    </form>
  );
}

export function LimitKeyDialog(props: DialogProps) {
  return <KeyDialog {...props} Form={LimitForm} />;
}
