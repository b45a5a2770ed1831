import { MoreHorizontal, Trash2 } from "lucide-react";
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
