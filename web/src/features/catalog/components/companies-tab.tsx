import { Building2, Plus } from "lucide-react";
import { useState } from "react";
import type { Company } from "@/lib/api";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/states";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { useDeleteCompany, type AdminCatalog } from "../data/catalog";
import { CompanyDialog } from "./company-dialog";
import { ConfirmDeleteDialog } from "./confirm-delete-dialog";
import { RowActions } from "./row-menu";

export function CompaniesTab({ catalog }: { catalog: AdminCatalog }) {
  const [dialog, setDialog] = useState<{ company: Company | null } | null>(null);
  const [deleting, setDeleting] = useState<Company | null>(null);
  const remove = useDeleteCompany();
  const count = (id: string) => catalog.models.filter((m) => m.company === id).length;

  return (
    <div className="grid gap-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <p className="text-sm text-muted-foreground">The makers of models. A model's id starts with its company's id.</p>
        <Button onClick={() => setDialog({ company: null })}>
          <Plus aria-hidden />
          Add company
        </Button>
      </div>
      {catalog.companies.length === 0 ? (
        <EmptyState icon={<Building2 />} title="No companies yet" description="Add one before adding its models." action={<Button onClick={() => setDialog({ company: null })}>Add company</Button>} />
      ) : (
        <Card className="overflow-hidden">
          <Table>
            <TableHeader>
              <TableRow className="hover:bg-transparent">
                <TableHead>Company</TableHead>
                <TableHead className="text-right">Models</TableHead>
                <TableHead>
                  <span className="sr-only">Actions</span>
                </TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {[...catalog.companies]
                .sort((a, b) => a.name.localeCompare(b.name))
                .map((c) => {
                  const n = count(c.id);
                  return (
                    <TableRow key={c.id} data-testid="company-row">
                      <TableCell>
                        <div className="font-medium">{c.name}</div>
                        <div className="font-mono text-xs text-muted-foreground">{c.id}</div>
                      </TableCell>
                      <TableCell className="text-right tabular-nums">{n}</TableCell>
                      <TableCell className="py-1.5">
                        <RowActions
                          label={c.name}
                          editLabel="Rename"
                          onEdit={() => setDialog({ company: c })}
                          onDelete={() => setDeleting(c)}
                          blockedReason={n > 0 ? `It has ${n} ${n === 1 ? "model" : "models"}. Delete those first.` : null}
                        />
                      </TableCell>
                    </TableRow>
                  );
                })}
            </TableBody>
          </Table>
        </Card>
      )}
      <CompanyDialog open={dialog !== null} onOpenChange={(o) => !o && setDialog(null)} company={dialog?.company ?? null} />
      <ConfirmDeleteDialog
        item={deleting}
        onClose={() => setDeleting(null)}
        description="It has no models, so nothing else changes."
        confirmLabel="Delete company"
        mutation={remove}
        errorTitle="The company was not deleted"
      />
    </div>
  );
}
