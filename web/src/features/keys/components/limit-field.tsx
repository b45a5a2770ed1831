import { Field } from "@/components/ui/label";
import { UsdInput } from "@/components/ui/usd-input";

/** A key's spending limit in dollars, as typed; empty means no limit. */
export function LimitField({
  id,
  value,
  onChange,
  error,
  hint,
  focus,
}: {
  id: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | null;
  hint: string;
  /** Focus it when it appears, and select what is in it whenever it is focused. */
  focus?: boolean;
}) {
  return (
    <Field id={id} label="Spending limit (USD)" error={error} hint={hint}>
      <UsdInput
        id={id}
        placeholder="No limit"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        autoFocus={focus}
        onFocus={focus ? (e) => e.currentTarget.select() : undefined}
        aria-invalid={!!error}
        aria-describedby={error ? `${id}-error` : `${id}-hint`}
      />
    </Field>
  );
}
