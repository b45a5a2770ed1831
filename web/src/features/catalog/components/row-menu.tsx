import { MoreHorizontal, Pencil, Trash2 } from "lucide-react";
import { Button } from "@/components/ui/button";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";

/** A row's "more" menu with a Delete item, disabled with a reason when deleting is not possible. */
export function DeleteMenu({ label, onDelete, blockedReason }: { label: string; onDelete: () => void; blockedReason?: string | null }) {
  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button variant="ghost" size="icon" className="size-8" aria-label={`More actions for ${label}`}>
          <MoreHorizontal />
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="end" className="w-64">
        <DropdownMenuItem disabled={!!blockedReason} onSelect={onDelete} className="text-destructive focus:text-destructive">
          <Trash2 />
          Delete
        </DropdownMenuItem>
        {blockedReason && (
          <>
            <DropdownMenuSeparator />
            <DropdownMenuLabel className="font-normal">{blockedReason}</DropdownMenuLabel>
          </>
        )}
      </DropdownMenuContent>
    </DropdownMenu>
  );
}

/**
 * A row's edit button (`editLabel`, such as Edit or Rename) and its Delete menu. In a table the
 * button's words show from small screens up; on a phone card (`card`) the button fills the row
 * and always shows them.
 */
export function RowActions({
  label,
  editLabel = "Edit",
  onEdit,
  onDelete,
  blockedReason,
  card = false,
}: {
  label: string;
  editLabel?: string;
  onEdit: () => void;
  onDelete: () => void;
  blockedReason?: string | null;
  card?: boolean;
}) {
  return (
    <div className={card ? "flex items-center gap-2" : "flex items-center justify-end gap-1"}>
      <Button variant="outline" size="sm" className={card ? "flex-1" : undefined} onClick={onEdit} aria-label={`${editLabel} ${label}`}>
        <Pencil aria-hidden />
        <span className={card ? undefined : "hidden sm:inline"}>{editLabel}</span>
      </Button>
      <DeleteMenu label={label} onDelete={onDelete} blockedReason={blockedReason} />
    </div>
  );
}
