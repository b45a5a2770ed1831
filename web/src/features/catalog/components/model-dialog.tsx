import { useState, type FormEvent } from "react";
import type { Company } from "@/lib/api";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input, Textarea } from "@/components/ui/input";
import { Field } from "@/components/ui/label";
import { toast } from "@/components/ui/toast";
import { useCreateModel } from "../data/catalog";
import { checkModelId, checkName, checkTokens } from "../data/validate";
import { FormFooter, IdField, NameField } from "./form-fields";

/** Adds a model (without providers: add those from its row afterwards). */
export function ModelDialog({
  open,
  onOpenChange,
  companies,
  onCreated,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  companies: Company[];
  onCreated: (id: string) => void;
}) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="max-w-lg">
        {open && (
          <ModelForm
            companies={companies}
            onDone={(id) => {
              onOpenChange(false);
              if (id) onCreated(id);
            }}
          />
        )}
      </DialogContent>
    </Dialog>
  );
}

function ModelForm({ companies, onDone }: { companies: Company[]; onDone: (createdId?: string) => void }) {
  const [id, setId] = useState("");
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [context, setContext] = useState("");
  const [maxOutput, setMaxOutput] = useState("");
  const [errors, setErrors] = useState<Record<string, string | null>>({});
  const create = useCreateModel();

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const found: Record<string, string | null> = {
      id: checkModelId(id),
      name: checkName(name),
      context: checkTokens(context, "context length", true),
      "max-output": checkTokens(maxOutput, "maximum output", true),
    };
    if (!found.id) {
      const company = id.trim().split("/")[0];
      if (!companies.some((c) => c.id === company)) found.id = `There is no company “${company}”. Add it on the Companies tab first.`;
    }
    setErrors(found);
    const firstBad = Object.keys(found).find((k) => found[k]);
    if (firstBad) {
      document.getElementById("model-" + firstBad)?.focus();
      return;
    }
    create.mutate(
      {
        id: id.trim(),
        name: name.trim(),
        description: description.trim() || undefined,
        context_length: Number(context),
        max_output: Number(maxOutput),
      },
      {
        onSuccess: (res) => {
          toast.success(`${res.model.name} added`, "Add a provider with prices so the gateway can route to it.");
          onDone(res.model.id);
        },
      },
    );
  };

  const field = (key: string, setter: (v: string) => void) => (v: string) => {
    setter(v);
    setErrors((x) => ({ ...x, [key]: null }));
  };

  return (
    <form onSubmit={submit} noValidate className="grid gap-4">
      <DialogHeader>
        <DialogTitle>Add a model</DialogTitle>
        <DialogDescription>Then add the providers that serve it, with their prices.</DialogDescription>
      </DialogHeader>
      <IdField prefix="model" value={id} onChange={field("id", setId)} error={errors.id} placeholder="mistralai/mistral-small" hint="company/model, like mistralai/mistral-small." />
      <NameField prefix="model" value={name} onChange={field("name", setName)} error={errors.name} placeholder="Mistral: Small" />
      <div className="grid grid-cols-2 gap-3">
        <Field id="model-context" label="Context length" error={errors.context}>
          <Input
            id="model-context"
            inputMode="numeric"
            value={context}
            onChange={(e) => field("context", setContext)(e.target.value)}
            placeholder="128000"
            aria-invalid={!!errors.context}
            aria-describedby={errors.context ? "model-context-error" : undefined}
          />
        </Field>
        <Field id="model-max-output" label="Max output" error={errors["max-output"]}>
          <Input
            id="model-max-output"
            inputMode="numeric"
            value={maxOutput}
            onChange={(e) => field("max-output", setMaxOutput)(e.target.value)}
            placeholder="8192"
            aria-invalid={!!errors["max-output"]}
            aria-describedby={errors["max-output"] ? "model-max-output-error" : undefined}
          />
        </Field>
      </div>
      <Field id="model-description" label="Description">
        <Textarea id="model-description" rows={3} maxLength={4000} value={description} onChange={(e) => setDescription(e.target.value)} />
      </Field>
      <FormFooter error={create.error} pending={create.isPending} onCancel={() => onDone()} submitLabel="Add model" />
    </form>
  );
}
