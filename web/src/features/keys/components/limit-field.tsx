import { Field } from "@/components/ui/label";
import { NativeSelect } from "@/components/ui/native-select";
import { UsdInput } from "@/components/ui/usd-input";
import { LIMIT_RESET_OPTIONS, limitResetHint, parseLimitReset } from "../data/key-utils";

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

/**
 * When the spending limit starts again from zero: "" (Never), "daily", "weekly" or "monthly".
 * Only meaningful with a limit: `disabled` while the limit field is empty.
 */
export function LimitResetField({
  id,
  value,
  onChange,
  disabled,
  error,
}: {
  id: string;
  value: string;
  onChange: (value: string) => void;
  disabled: boolean;
  error?: string | null;
}) {
  const hint = disabled ? "Set a spending limit to choose." : limitResetHint(parseLimitReset(value));
  return (
    <Field id={id} label="Limit resets" error={error} hint={hint}>
      <NativeSelect
        id={id}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        disabled={disabled}
        aria-invalid={!!error}
        aria-describedby={error ? `${id}-error` : `${id}-hint`}
      >
        {LIMIT_RESET_OPTIONS.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </NativeSelect>
    </Field>
  );
}
