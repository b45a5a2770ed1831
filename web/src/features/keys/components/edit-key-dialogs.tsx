import { useState, type ComponentType, type FormEvent } from "react";
import type { Key } from "@/lib/api";
import { apiFieldError } from "@/lib/errors";
import { microsToUsdCentsText, parseUsdMicros } from "@/lib/money";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Field } from "@/components/ui/label";
import { FormError } from "@/components/ui/states";
import { toast } from "@/components/ui/toast";
import { useUpdateKey } from "../data/keys";
import {
  KEY_FIELD_WORDS,
  KEY_NAME_MAX,
  RPM_MAX,
  TPM_MAX,
  limitText,
  parseLimitReset,
  rateLimitsText,
  spentText,
  validateKeyName,
  validateLimit,
  validateRateLimit,
  type LimitReset,
} from "../data/key-utils";
import { LimitField, LimitResetField } from "./limit-field";
import { RateLimitFields, type RateLimitErrors, type RateLimitText } from "./rate-limit-fields";

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
  const [checked, setError] = useState<string | null>(null);
  const refused = apiFieldError(update.error, KEY_FIELD_WORDS);
  const error = checked ?? (refused?.param === "name" ? refused.message : null);
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
          onChange={(e) => {
            if (update.error) update.reset();
            setName(e.target.value);
          }}
          maxLength={KEY_NAME_MAX}
          autoComplete="off"
          autoFocus
          onFocus={(e) => e.currentTarget.select()}
          aria-invalid={!!error}
          aria-describedby={error ? "rename-key-name-error" : undefined}
        />
      </Field>
      <FormError error={refused ? null : update.error} />
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
  const [reset, setReset] = useState<string>(keyItem.limit_reset ?? "");
  const [checked, setError] = useState<string | null>(null);
  const refused = apiFieldError(update.error, KEY_FIELD_WORDS);
  const error = checked ?? (refused?.param === "limit_usd" ? refused.message : null);
  const resetError = refused?.param === "limit_reset" ? refused.message : null;
  const edited = (set: (text: string) => void) => (text: string) => {
    if (update.error) update.reset();
    set(text);
  };
  // The reset goes with the limit, and no limit never resets.
  const save = (usd: string | null, limitReset: LimitReset | null) =>
    update.mutate(
      { id: keyItem.id, body: { limit_usd: usd, limit_reset: usd === null ? null : limitReset } },
      {
        onSuccess: () => {
          toast.success(usd === null ? "Limit removed" : `Limit set to ${limitText(parseUsdMicros(usd) ?? 0, limitReset)}`);
          onDone();
        },
      },
    );
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const result = validateLimit(limit);
    setError(result.error);
    if (!result.error) save(result.usd, parseLimitReset(reset));
  };
  return (
    <form className="grid gap-4" onSubmit={onSubmit} noValidate>
      <DialogHeader>
        <DialogTitle>Change limit</DialogTitle>
        <DialogDescription>
          Requests with “{keyItem.name}” are refused once it has spent this much. {spentText(keyItem)}
        </DialogDescription>
      </DialogHeader>
      <LimitField id="key-limit-edit" value={limit} onChange={edited(setLimit)} error={error} hint="Leave empty for no limit." focus />
      <LimitResetField id="key-limit-reset-edit" value={reset} onChange={edited(setReset)} disabled={!limit.trim()} error={resetError} />
      <FormError error={refused ? null : update.error} />
      <RemoveCancelSave
        removeLabel={keyItem.limit_micros !== null ? "Remove limit" : null}
        onRemove={() => save(null, null)}
        onCancel={onDone}
        pending={update.isPending}
      />
    </form>
  );
}

// A limit dialog's footer: "Remove …" on the left when there is something to remove (`removeLabel`
// not null), Cancel and Save on the right.
function RemoveCancelSave({
  removeLabel,
  onRemove,
  onCancel,
  pending,
}: {
  removeLabel: string | null;
  onRemove: () => void;
  onCancel: () => void;
  pending: boolean;
}) {
  return (
    <DialogFooter className="sm:justify-between">
      {removeLabel !== null ? (
        <Button variant="ghost" onClick={onRemove} disabled={pending}>
          {removeLabel}
        </Button>
      ) : (
        <span className="hidden sm:block" />
      )}
      <div className="flex flex-col-reverse gap-2 sm:flex-row">
        <CancelSave onCancel={onCancel} pending={pending} />
      </div>
    </DialogFooter>
  );
}

export function LimitKeyDialog(props: DialogProps) {
  return <KeyDialog {...props} Form={LimitForm} />;
}

function RateLimitForm({ keyItem, onDone }: FormProps) {
  const update = useUpdateKey();
  const [rates, setRates] = useState<RateLimitText>({
    rpm: keyItem.rpm_limit === null ? "" : String(keyItem.rpm_limit),
    tpm: keyItem.tpm_limit === null ? "" : String(keyItem.tpm_limit),
  });
  const [checked, setErrors] = useState<RateLimitErrors>({});
  const refused = apiFieldError(update.error, KEY_FIELD_WORDS);
  const errors: RateLimitErrors = {
    rpm: checked.rpm ?? (refused?.param === "rpm_limit" ? refused.message : null),
    tpm: checked.tpm ?? (refused?.param === "tpm_limit" ? refused.message : null),
  };
  const edit = (text: RateLimitText) => {
    if (update.error) update.reset();
    setRates(text);
  };
  const save = (rpm: number | null, tpm: number | null) =>
    update.mutate(
      { id: keyItem.id, body: { rpm_limit: rpm, tpm_limit: tpm } },
      {
        onSuccess: (key) => {
          toast.success(rpm === null && tpm === null ? "Rate limits removed" : `Rate limits: ${rateLimitsText(key)}`);
          onDone();
        },
      },
    );
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const rpm = validateRateLimit(rates.rpm, RPM_MAX);
    const tpm = validateRateLimit(rates.tpm, TPM_MAX);
    setErrors({ rpm: rpm.error, tpm: tpm.error });
    if (!rpm.error && !tpm.error) save(rpm.value, tpm.value);
  };
  const limited = keyItem.rpm_limit !== null || keyItem.tpm_limit !== null;
  return (
    <form className="grid gap-4" onSubmit={onSubmit} noValidate>
      <DialogHeader>
        <DialogTitle>Rate limits</DialogTitle>
        <DialogDescription>
          Requests with “{keyItem.name}” beyond these in any minute are refused with 429 and a Retry-After, until the
          minute's window has room again.
        </DialogDescription>
      </DialogHeader>
      <RateLimitFields idPrefix="key-rate-edit" value={rates} onChange={edit} errors={errors} focus />
      <FormError error={refused ? null : update.error} />
      <RemoveCancelSave
        removeLabel={limited ? "Remove rate limits" : null}
        onRemove={() => save(null, null)}
        onCancel={onDone}
        pending={update.isPending}
      />
    </form>
  );
}

export function RateLimitKeyDialog(props: DialogProps) {
  return <KeyDialog {...props} Form={RateLimitForm} />;
}
