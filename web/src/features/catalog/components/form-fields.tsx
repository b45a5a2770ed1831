import { Button } from "@/components/ui/button";
import { DialogFooter } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Field } from "@/components/ui/label";
import { FormError } from "@/components/ui/states";

// Fields the catalog dialogs (company, provider, model) share. Each takes the dialog's `prefix`
// and names its input `${prefix}-id` or `${prefix}-name`, so errors can focus it by that id.

/** The id of a catalog entry: typed when it is added, fixed afterwards. Focused first when adding. */
export function IdField({
  prefix,
  value,
  onChange,
  error,
  editing = false,
  placeholder,
  hint,
}: {
  prefix: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | null;
  editing?: boolean;
  placeholder: string;
  /** Shown while adding; when editing the hint says the id cannot be changed. */
  hint: string;
}) {
  const id = `${prefix}-id`;
  return (
    <Field id={id} label="ID" error={error} hint={editing ? "The id cannot be changed." : hint}>
      <Input
        id={id}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        disabled={editing}
        autoComplete="off"
        spellCheck={false}
        className="font-mono"
        placeholder={placeholder}
        aria-invalid={!!error}
        aria-describedby={error ? `${id}-error` : `${id}-hint`}
        autoFocus={!editing}
      />
    </Field>
  );
}

/** The display name of a catalog entry. */
export function NameField({
  prefix,
  value,
  onChange,
  error,
  placeholder,
  autoFocus = false,
}: {
  prefix: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | null;
  placeholder: string;
  autoFocus?: boolean;
}) {
  const id = `${prefix}-name`;
  return (
    <Field id={id} label="Name" error={error}>
      <Input
        id={id}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        autoComplete="off"
        placeholder={placeholder}
        aria-invalid={!!error}
        aria-describedby={error ? `${id}-error` : undefined}
        autoFocus={autoFocus}
      />
    </Field>
  );
}

/** The request's error, if any, then Cancel and the submit button. */
export function FormFooter({ error, pending, onCancel, submitLabel }: { error: Error | null; pending: boolean; onCancel: () => void; submitLabel: string }) {
  return (
    <>
      {error && <FormError error={error} />}
      <DialogFooter>
        <Button variant="outline" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit" loading={pending}>
          {submitLabel}
        </Button>
      </DialogFooter>
    </>
  );
}
