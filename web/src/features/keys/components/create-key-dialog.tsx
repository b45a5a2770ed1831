import { useState, type FormEvent } from "react";
import type { KeyWithSecret, Schemas } from "@/lib/api";
import { apiFieldError } from "@/lib/errors";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Field, Label } from "@/components/ui/label";
import { FormError } from "@/components/ui/states";
import { Switch } from "@/components/ui/switch";
import { useCreateKey } from "../data/keys";
import {
  KEY_FIELD_WORDS,
  KEY_NAME_MAX,
  RPM_MAX,
  TPM_MAX,
  parseLimitReset,
  todayInputValue,
  validateExpiry,
  validateKeyName,
  validateLimit,
  validateRateLimit,
} from "../data/key-utils";
import { LimitField, LimitResetField } from "./limit-field";
import { RateLimitFields, type RateLimitText } from "./rate-limit-fields";
import { SecretReveal } from "./secret-reveal";

type Errors = { name?: string; limit?: string; reset?: string; expires?: string; rpm?: string; tpm?: string };

function CreateKeyForm({ onCreated, onCancel }: { onCreated: (result: KeyWithSecret) => void; onCancel: () => void }) {
  const create = useCreateKey();
  const [name, setName] = useState("");
  const [limit, setLimit] = useState("");
  const [reset, setReset] = useState("");
  const [expires, setExpires] = useState("");
  const [logPrompts, setLogPrompts] = useState(false);
  const [management, setManagement] = useState(false);
  const [rates, setRates] = useState<RateLimitText>({ rpm: "", tpm: "" });
  const [checked, setErrors] = useState<Errors>({});
  // A field the server refused is shown at that field, in the form's words; a new edit clears it.
  const refused = apiFieldError(create.error, KEY_FIELD_WORDS);
  const errors: Errors = { ...checked };
  if (refused) {
    const field = {
      name: "name",
      limit_usd: "limit",
      limit_reset: "reset",
      expires_at: "expires",
      rpm_limit: "rpm",
      tpm_limit: "tpm",
    } as const;
    errors[field[refused.param]] ??= refused.message;
  }
  const edited = <T,>(set: (value: T) => void) => (value: T) => {
    if (create.error) create.reset();
    set(value);
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const nameError = validateKeyName(name);
    // A management key cannot call models: spending and rate limits would never apply.
    const limitResult = management ? { usd: null, error: null } : validateLimit(limit);
    const expiryResult = validateExpiry(expires);
    const rpm = management ? { value: null, error: null } : validateRateLimit(rates.rpm, RPM_MAX);
    const tpm = management ? { value: null, error: null } : validateRateLimit(rates.tpm, TPM_MAX);
    const next: Errors = {};
    if (nameError) next.name = nameError;
    if (limitResult.error) next.limit = limitResult.error;
    if (expiryResult.error) next.expires = expiryResult.error;
    if (rpm.error) next.rpm = rpm.error;
    if (tpm.error) next.tpm = tpm.error;
    setErrors(next);
    if (Object.keys(next).length > 0) return;
    const body: Schemas["KeyCreate"] = { name: name.trim(), log_prompts: !management && logPrompts };
    if (management) body.management = true;
    if (limitResult.usd !== null) {
      body.limit_usd = limitResult.usd;
      // A reset only means something with a limit; Never is the server's default.
      const limitReset = parseLimitReset(reset);
      if (limitReset !== null) body.limit_reset = limitReset;
    }
    if (expiryResult.expiresAt !== null) body.expires_at = expiryResult.expiresAt;
    if (rpm.value !== null) body.rpm_limit = rpm.value;
    if (tpm.value !== null) body.tpm_limit = tpm.value;
    create.mutate(body, { onSuccess: onCreated });
  };

  return (
    <form className="grid gap-4" onSubmit={onSubmit} noValidate>
      <DialogHeader>
        <DialogTitle>Create key</DialogTitle>
        <DialogDescription>A key lets an app call models through Turnpike and spend your credits.</DialogDescription>
      </DialogHeader>
      <Field id="key-name" label="Name" error={errors.name} hint="Something that tells you where it is used, like “billing-bot prod”.">
        <Input
          id="key-name"
          value={name}
          onChange={(e) => edited(setName)(e.target.value)}
          maxLength={KEY_NAME_MAX}
          required
          autoComplete="off"
          autoFocus
          aria-invalid={!!errors.name}
          aria-describedby={errors.name ? "key-name-error" : "key-name-hint"}
        />
      </Field>
      <div className="flex items-start justify-between gap-4 rounded-lg border p-3">
        <div className="grid gap-1">
          <Label htmlFor="key-management">Management key (can manage keys, cannot call models)</Label>
          <p id="key-management-hint" className="text-xs text-muted-foreground">
            For scripts that create, limit and delete your other keys through the gateway&apos;s /api/v1/keys, as with
            OpenRouter. It cannot be changed later.
          </p>
        </div>
        <Switch
          id="key-management"
          checked={management}
          onCheckedChange={setManagement}
          aria-describedby="key-management-hint"
        />
      </div>
      <div className="grid gap-4 sm:grid-cols-2">
        {!management && (
          <>
            <LimitField id="key-limit" value={limit} onChange={edited(setLimit)} error={errors.limit} hint="Optional. Empty means no limit." />
            <LimitResetField id="key-limit-reset" value={reset} onChange={edited(setReset)} disabled={!limit.trim()} error={errors.reset} />
          </>
        )}
        <Field id="key-expires" label="Expires" error={errors.expires} hint="Optional. Works through the end of that day.">
          <Input
            id="key-expires"
            type="date"
            min={todayInputValue()}
            value={expires}
            onChange={(e) => edited(setExpires)(e.target.value)}
            aria-invalid={!!errors.expires}
            aria-describedby={errors.expires ? "key-expires-error" : "key-expires-hint"}
          />
        </Field>
      </div>
      {!management && (
        <>
          <RateLimitFields idPrefix="key-rate" value={rates} onChange={edited(setRates)} errors={errors} />
          <div className="flex items-start justify-between gap-4 rounded-lg border p-3">
            <div className="grid gap-1">
              <Label htmlFor="key-log-prompts">Log prompts and completions</Label>
              <p id="key-log-prompts-hint" className="text-xs text-muted-foreground">
                Keep the text of requests made with this key in your logs, to debug them later.
              </p>
            </div>
            <Switch
              id="key-log-prompts"
              checked={logPrompts}
              onCheckedChange={setLogPrompts}
              aria-describedby="key-log-prompts-hint"
            />
          </div>
        </>
      )}
      <FormError error={refused ? null : create.error} />
      <DialogFooter>
        <Button variant="outline" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit" loading={create.isPending}>
          Create key
        </Button>
      </DialogFooter>
    </form>
  );
}

/** Asks for the key's settings, then shows its secret once. */
export function CreateKeyDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const [created, setCreated] = useState<KeyWithSecret | null>(null);
  const setOpen = (next: boolean) => {
    onOpenChange(next);
    if (!next) setCreated(null);
  };
  const close = () => setOpen(false);
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogContent
        // The secret is shown only once: a stray click outside or Escape must not throw it away;
        // only the dialog's own buttons close it.
        onInteractOutside={(e) => {
          if (created) e.preventDefault();
        }}
        onEscapeKeyDown={(e) => {
          if (created) e.preventDefault();
        }}
        hideClose={created !== null}
      >
        {created ? (
          <SecretReveal
            title={`Key “${created.key.name}” created`}
            secret={created.secret}
            management={created.key.management}
            onDone={close}
          />
        ) : (
          <CreateKeyForm onCreated={setCreated} onCancel={close} />
        )}
      </DialogContent>
    </Dialog>
  );
}
