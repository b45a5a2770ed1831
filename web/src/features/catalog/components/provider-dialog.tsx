import { ShieldCheck, AlertTriangle } from "lucide-react";
import { useState, type FormEvent } from "react";
import type { Schemas } from "@/lib/api";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Field, Label } from "@/components/ui/label";
import { Switch } from "@/components/ui/switch";
import { toast } from "@/components/ui/toast";
import { useCreateProvider, useUpdateProvider, type AdminProvider } from "../data/catalog";
import { checkBaseUrl, checkEnvName, checkId, checkName } from "../data/validate";
import { FormFooter, IdField, NameField } from "./form-fields";
import { NativeSelect } from "./native-select";

type Adapter = AdminProvider["adapter"];
const adapterLabels: Record<Adapter, string> = {
  openai: "OpenAI-compatible (Chat Completions)",
  anthropic: "Anthropic (Messages)",
  gemini: "Google Gemini (generateContent)",
};

type Values = { id: string; name: string; adapter: Adapter; base_url: string; key_env: string; base_url_env: string; enabled: boolean };
type Errors = Partial<Record<"id" | "name" | "base_url" | "key_env" | "base_url_env", string | null>>;

/**
 * Adds a provider or changes one (`provider`, as the admin listing has it). It asks for the NAME
 * of the environment variable holding the credential, never for the credential itself.
 */
export function ProviderDialog({
  open,
  onOpenChange,
  provider,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  provider: AdminProvider | null;
}) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="max-w-xl">
        {open && <ProviderForm key={provider?.id ?? "new"} provider={provider} onDone={() => onOpenChange(false)} />}
      </DialogContent>
    </Dialog>
  );
}

/** The id of the input for a field, such as provider-base-url-env for base_url_env. */
function inputId(field: keyof Errors): string {
  return "provider-" + field.replace(/_/g, "-");
}

/** Asks for the NAME of an environment variable on the server, never for its value. */
function EnvVarField({
  field,
  label,
  hint,
  placeholder,
  value,
  error,
  onChange,
}: {
  field: "key_env" | "base_url_env";
  label: string;
  hint: string;
  placeholder: string;
  value: string;
  error?: string | null;
  onChange: (value: string) => void;
}) {
  const id = inputId(field);
  return (
    <Field id={id} label={label} error={error} hint={hint}>
      <Input
        id={id}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        autoComplete="off"
        autoCapitalize="characters"
        spellCheck={false}
        className="font-mono"
        placeholder={placeholder}
        aria-invalid={!!error}
        aria-describedby={error ? `${id}-error` : `${id}-hint`}
      />
    </Field>
  );
}

function ProviderForm({ provider, onDone }: { provider: AdminProvider | null; onDone: () => void }) {
  const editing = provider !== null;
  const initial: Values = {
    id: provider?.id ?? "",
    name: provider?.name ?? "",
    adapter: provider?.adapter ?? "openai",
    base_url: provider?.base_url ?? "",
    key_env: provider?.key_env ?? "",
    base_url_env: provider?.base_url_env ?? "",
    enabled: provider?.enabled ?? true,
  };
  const [v, setV] = useState<Values>(initial);
  const [errors, setErrors] = useState<Errors>({});
  const create = useCreateProvider();
  const update = useUpdateProvider();
  const mutation = editing ? update : create;

  const set = <K extends keyof Values>(k: K, value: Values[K]) => {
    setV((old) => ({ ...old, [k]: value }));
    if (k in errors) setErrors((e) => ({ ...e, [k]: null }));
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const found: Errors = {
      id: editing ? null : checkId(v.id, "groq"),
      name: checkName(v.name),
      base_url: checkBaseUrl(v.base_url),
      key_env: checkEnvName(v.key_env),
      base_url_env: checkEnvName(v.base_url_env),
    };
    setErrors(found);
    const firstBad = (Object.keys(found) as (keyof Errors)[]).find((k) => found[k]);
    if (firstBad) {
      document.getElementById(inputId(firstBad))?.focus();
      return;
    }
    const keyEnv = v.key_env.trim();
    const baseUrlEnv = v.base_url_env.trim();
    if (!editing) {
      const body: Schemas["ProviderCreate"] = {
        id: v.id.trim(),
        name: v.name.trim(),
        adapter: v.adapter,
        base_url: v.base_url.trim(),
        key_env: keyEnv || null,
        enabled: v.enabled,
      };
      if (baseUrlEnv) body.base_url_env = baseUrlEnv;
      create.mutate(body, {
        onSuccess: (res) => {
          toast.success(`${res.provider.name} added`, res.provider.available ? "It is available for routing." : (res.provider.unavailable_reason ?? undefined));
          onDone();
        },
      });
      return;
    }
    // Only what changed, so a concurrent change to another field is not overwritten.
    const change: Schemas["ProviderUpdate"] = {};
    if (v.name.trim() !== initial.name) change.name = v.name.trim();
    if (v.adapter !== initial.adapter) change.adapter = v.adapter;
    if (v.base_url.trim() !== initial.base_url) change.base_url = v.base_url.trim();
    if (keyEnv !== initial.key_env) change.key_env = keyEnv || null;
    if (baseUrlEnv !== initial.base_url_env) change.base_url_env = baseUrlEnv || null;
    if (v.enabled !== initial.enabled) change.enabled = v.enabled;
    if (Object.keys(change).length === 0) {
      onDone();
      return;
    }
    update.mutate(
      { id: provider.id, change },
      {
        onSuccess: (res) => {
          toast.success(
            `${res.provider.name} saved`,
            res.provider.available ? undefined : (res.provider.unavailable_reason ?? "It is not available for routing."),
          );
          onDone();
        },
      },
    );
  };

  return (
    <form onSubmit={submit} noValidate className="grid gap-4">
      <DialogHeader>
        <DialogTitle>{editing ? `Edit ${provider.name}` : "Add a provider"}</DialogTitle>
        <DialogDescription>
          Where the gateway sends requests. Changes reach the gateway within a second.
        </DialogDescription>
      </DialogHeader>

      <div className="grid gap-4 sm:grid-cols-2">
        <IdField
          prefix="provider"
          value={v.id}
          onChange={(value) => set("id", value)}
          error={errors.id}
          editing={editing}
          placeholder="groq"
          hint="Lower case, used in routing and logs, like groq."
        />
        <NameField prefix="provider" value={v.name} onChange={(value) => set("name", value)} error={errors.name} placeholder="Groq" autoFocus={editing} />
      </div>

      <Field id="provider-adapter" label="API style" hint="The wire protocol the provider speaks.">
        <NativeSelect id="provider-adapter" value={v.adapter} onChange={(e) => set("adapter", e.target.value as Adapter)} aria-describedby="provider-adapter-hint">
          {(Object.keys(adapterLabels) as Adapter[]).map((a) => (
            <option key={a} value={a}>
              {adapterLabels[a]}
            </option>
          ))}
        </NativeSelect>
      </Field>

      <Field id="provider-base-url" label="Base URL" error={errors.base_url} hint="Without credentials, like https://api.groq.com/openai/v1.">
        <Input
          id="provider-base-url"
          type="url"
          inputMode="url"
          value={v.base_url}
          onChange={(e) => set("base_url", e.target.value)}
          autoComplete="off"
          spellCheck={false}
          className="font-mono"
          placeholder="https://api.example.com/v1"
          aria-invalid={!!errors.base_url}
          aria-describedby={errors.base_url ? "provider-base-url-error" : "provider-base-url-hint"}
        />
      </Field>

      <div className="grid gap-3 rounded-lg border bg-muted/40 p-3">
        <p className="flex items-start gap-2 text-xs text-muted-foreground">
          <ShieldCheck className="mt-0.5 size-4 shrink-0 text-success" aria-hidden />
          <span>
            Turnpike never stores provider keys. Set the key in an environment variable on the server and enter only the variable's <strong className="text-foreground">name</strong> here.
          </span>
        </p>
        <div className="grid gap-4 sm:grid-cols-2">
          <EnvVarField
            field="key_env"
            label="Credential variable"
            hint="Like GROQ_API_KEY. Empty if no key is needed."
            placeholder="GROQ_API_KEY"
            value={v.key_env}
            error={errors.key_env}
            onChange={(value) => set("key_env", value)}
          />
          <EnvVarField
            field="base_url_env"
            label="Base URL override variable"
            hint="Optional: a variable that replaces the base URL."
            placeholder="GROQ_BASE_URL"
            value={v.base_url_env}
            error={errors.base_url_env}
            onChange={(value) => set("base_url_env", value)}
          />
        </div>
      </div>

      <div className="flex items-start justify-between gap-4 rounded-lg border p-3">
        <div className="grid gap-1">
          <Label htmlFor="provider-enabled">Switched on</Label>
          <p id="provider-enabled-hint" className="text-xs text-muted-foreground">
            A switched-off provider gets no requests.
          </p>
          {editing && !provider.available && provider.enabled && provider.unavailable_reason && (
            <p className="flex items-start gap-1.5 text-xs">
              <AlertTriangle className="mt-0.5 size-3.5 shrink-0 text-warning" aria-hidden />
              <span>Not available now: {provider.unavailable_reason}</span>
            </p>
          )}
        </div>
        <Switch id="provider-enabled" checked={v.enabled} onCheckedChange={(checked) => set("enabled", checked)} aria-describedby="provider-enabled-hint" />
      </div>

      <FormFooter error={mutation.error} pending={mutation.isPending} onCancel={onDone} submitLabel={editing ? "Save changes" : "Add provider"} />
    </form>
  );
}
