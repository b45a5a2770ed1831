import { Input } from "@/components/ui/input";
import { Field } from "@/components/ui/label";

export type RateLimitText = { rpm: string; tpm: string };
export type RateLimitErrors = { rpm?: string | null; tpm?: string | null };

/** A key's requests and tokens per minute, as typed; empty means no limit. */
export function RateLimitFields({
  idPrefix,
  value,
  onChange,
  errors,
  focus,
}: {
  idPrefix: string;
  value: RateLimitText;
  onChange: (value: RateLimitText) => void;
  errors: RateLimitErrors;
  /** Focus the first field when it appears. */
  focus?: boolean;
}) {
  const field = (which: "rpm" | "tpm", label: string, hint: string) => {
    const id = `${idPrefix}-${which}`;
    const error = errors[which];
    return (
      <Field id={id} label={label} error={error} hint={hint}>
        <Input
          id={id}
          inputMode="numeric"
          autoComplete="off"
          placeholder="No limit"
          value={value[which]}
          onChange={(e) => onChange({ ...value, [which]: e.target.value })}
          autoFocus={focus && which === "rpm"}
          aria-invalid={!!error}
          aria-describedby={error ? `${id}-error` : `${id}-hint`}
        />
      </Field>
    );
  };
  return (
    <div className="grid gap-4 sm:grid-cols-2">
      {field("rpm", "Requests per minute", "Optional. Empty means no limit.")}
      {field("tpm", "Tokens per minute", "Optional. Prompt and completion tokens.")}
    </div>
  );
}
