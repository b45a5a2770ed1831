import { useState, type FormEvent } from "react";
import type { Company } from "@/lib/api";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Field } from "@/components/ui/label";
import { FormError } from "@/components/ui/states";
import { toast } from "@/components/ui/toast";
import { useCreateCompany, useUpdateCompany } from "../data/catalog";
import { checkId, checkName } from "../data/validate";

/** Adds a company (the maker of models, such as OpenAI) or renames one. */
export function CompanyDialog({ open, onOpenChange, company }: { open: boolean; onOpenChange: (open: boolean) => void; company: Company | null }) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="max-w-md">
        {open && <CompanyForm key={company?.id ?? "new"} company={company} onDone={() => onOpenChange(false)} />}
      </DialogContent>
    </Dialog>
  );
}

function CompanyForm({ company, onDone }: { company: Company | null; onDone: () => void }) {
  const editing = company !== null;
  const [id, setId] = useState(company?.id ?? "");
  const [name, setName] = useState(company?.name ?? "");
  const [errors, setErrors] = useState<{ id?: string | null; name?: string | null }>({});
  const create = useCreateCompany();
  const update = useUpdateCompany();
  const mutation = editing ? update : create;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const found = { id: editing ? null : checkId(id, "mistralai"), name: checkName(name) };
    setErrors(found);
    if (found.id || found.name) {
      document.getElementById(found.id ? "company-id" : "company-name")?.focus();
      return;
    }
    if (editing) {
      if (name.trim() === company.name) return onDone();
      update.mutate(
        { id: company.id, change: { name: name.trim() } },
        {
          onSuccess: () => {
            toast.success(`Renamed to ${name.trim()}`);
            onDone();
          },
        },
      );
    } else {
      create.mutate(
        { id: id.trim(), name: name.trim() },
        {
          onSuccess: () => {
            toast.success(`${name.trim()} added`);
            onDone();
          },
        },
      );
    }
  };

  return (
    <form onSubmit={submit} noValidate className="grid gap-4">
      <DialogHeader>
        <DialogTitle>{editing ? `Rename ${company.name}` : "Add a company"}</DialogTitle>
        <DialogDescription>Companies make models; a model's id starts with its company's id.</DialogDescription>
      </DialogHeader>
      <Field id="company-id" label="ID" error={errors.id} hint={editing ? "The id cannot be changed." : "Lower case, like mistralai."}>
        <Input
          id="company-id"
          value={id}
          onChange={(e) => {
            setId(e.target.value);
            setErrors((x) => ({ ...x, id: null }));
          }}
          disabled={editing}
          autoComplete="off"
          spellCheck={false}
          className="font-mono"
          placeholder="mistralai"
          aria-invalid={!!errors.id}
          aria-describedby={errors.id ? "company-id-error" : "company-id-hint"}
          autoFocus={!editing}
        />
      </Field>
      <Field id="company-name" label="Name" error={errors.name}>
        <Input
          id="company-name"
          value={name}
          onChange={(e) => {
            setName(e.target.value);
            setErrors((x) => ({ ...x, name: null }));
          }}
          autoComplete="off"
          placeholder="Mistral AI"
          aria-invalid={!!errors.name}
          aria-describedby={errors.name ? "company-name-error" : undefined}
          autoFocus={editing}
        />
      </Field>
      {mutation.error && <FormError error={mutation.error} />}
      <DialogFooter>
        <Button variant="outline" onClick={onDone}>
          Cancel
        </Button>
        <Button type="submit" loading={mutation.isPending}>
          {editing ? "Save" : "Add company"}
        </Button>
      </DialogFooter>
    </form>
  );
}
