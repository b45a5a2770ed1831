import { Ban, CheckCircle2, Coins, MoreHorizontal, ShieldCheck, ShieldOff } from "lucide-react";
import type { AdminUser } from "@/lib/api";
import { Button } from "@/components/ui/button";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";

/** What the admin can do to a user from the row's menu (each asks for confirmation first). */
export type Action = "disable" | "enable" | "make-admin" | "remove-admin";

/** A user's "Grant credits" button and the menu of the other actions. */
export function UserActions({
  user,
  self,
  onGrant,
  onAction,
  labelled,
}: {
  user: AdminUser;
  self: boolean;
  onGrant: () => void;
  onAction: (a: Action) => void;
  /** Always show the button's words (the phone layout has room for them). */
  labelled?: boolean;
}) {
  return (
    <div className="flex items-center justify-end gap-1">
      <Button variant="outline" size="sm" onClick={onGrant} aria-label={`Grant credits to ${user.email}`}>
        <Coins aria-hidden />
        <span className={labelled ? undefined : "hidden sm:inline"}>Grant credits</span>
      </Button>
      <DropdownMenu>
        <DropdownMenuTrigger asChild>
          <Button variant="ghost" size="icon" className="size-8" aria-label={`More actions for ${user.email}`}>
            <MoreHorizontal />
          </Button>
        </DropdownMenuTrigger>
        <DropdownMenuContent align="end" className="w-60">
          {user.is_admin ? (
            <DropdownMenuItem disabled={self} onSelect={() => onAction("remove-admin")}>
              <ShieldOff />
              Remove admin
            </DropdownMenuItem>
          ) : (
            <DropdownMenuItem onSelect={() => onAction("make-admin")}>
              <ShieldCheck />
              Make admin
            </DropdownMenuItem>
          )}
          {user.disabled ? (
            <DropdownMenuItem onSelect={() => onAction("enable")}>
              <CheckCircle2 />
              Enable
            </DropdownMenuItem>
          ) : (
            <DropdownMenuItem disabled={self} onSelect={() => onAction("disable")} className="text-destructive focus:text-destructive">
              <Ban />
              Disable
            </DropdownMenuItem>
          )}
          {self && (
            <>
              <DropdownMenuSeparator />
              <DropdownMenuLabel className="font-normal">You cannot disable yourself or remove your own admin rights; another admin can.</DropdownMenuLabel>
            </>
          )}
        </DropdownMenuContent>
      </DropdownMenu>
    </div>
  );
}
