import type { UseMutationResult } from "@tanstack/react-query";
import { errorMessage } from "@/lib/errors";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { toast } from "@/components/ui/toast";

/**
 * Asks before deleting a named catalog item, deletes it by id, and says how that went: a toast
 * and closing on success, an error toast (titled `errorTitle`) with the dialog left open on failure.
 * It does not close while the deletion runs.
 */
export function ConfirmDeleteDialog<TData>({
  item,
  onClose,
  description,
  confirmLabel,
  mutation,
  errorTitle,
}: {
  /** What is being deleted; null while the dialog is closed. */
  item: { id: string; name: string } | null;
  onClose: () => void;
  description: string;
  confirmLabel: string;
  mutation: UseMutationResult<TData, Error, string>;
  errorTitle: string;
}) {
  return (
    <ConfirmDialog
      open={item !== null}
      onOpenChange={(open) => !open && !mutation.isPending && onClose()}
      title={`Delete ${item?.name ?? ""}?`}
      description={description}
      confirmLabel={confirmLabel}
      loading={mutation.isPending}
      onConfirm={() =>
        item &&
        mutation.mutate(item.id, {
          onSuccess: () => {
            toast.success(`${item.name} deleted`);
            onClose();
          },
          onError: (e) => toast.error(errorTitle, errorMessage(e)),
        })
      }
    />
  );
}
