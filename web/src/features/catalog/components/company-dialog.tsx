import { useState, type FormEvent } from "react";
import type { Company } from "@/lib/api";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { toast } from "@/components/ui/toast";
import { useCreateCompany, useUpdateCompany } from "../data/catalog";
import { checkId, checkName } from "../data/validate";
import { FormFooter, IdField, NameField } from "./form-fields";

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
      <IdField
        prefix="company"
        value={id}
        onChange={(value) => {
          setId(value);
          setErrors((x) => ({ ...x, id: null }));
        }}
        error={errors.id}
        editing={editing}
        placeholder="mistralai"
        hint="Lower case, like mistralai."
      />
      <NameField
        prefix="company"
        value={name}
        onChange={(value) => {
          setName(value);
          setErrors((x) => ({ ...x, name: null }));
        }}
        error={errors.name}
        placeholder="Mistral AI"
        autoFocus={editing}
      />
      <FormFooter error={mutation.error} pending={mutation.isPending} onCancel={onDone} submitLabel={editing ? "Save" : "Add company"} />
    </form>
  );
}
