import { Ban, CircleCheck, Gauge, MoreHorizontal, Pencil, RefreshCw, Timer, Trash2 } from "lucide-react";
import { useState } from "react";
import type { Key, KeyWithSecret } from "@/lib/api";
import { errorMessage } from "@/lib/errors";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Dialog, DialogContent } from "@/components/ui/dialog";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { toast } from "@/components/ui/toast";
import { useDeleteKey, useRotateKey, useUpdateKey } from "../data/keys";
import { LimitKeyDialog, RateLimitKeyDialog, RenameKeyDialog } from "./edit-key-dialogs";
import { SecretReveal } from "./secret-reveal";

type Open = "rename" | "limit" | "rates" | "rotate" | "delete" | null;

/** The ⋯ menu of one key, and the dialogs its items open. */
export function KeyActions({ keyItem }: { keyItem: Key }) {
  const [open, setOpen] = useState<Open>(null);
  const [rotated, setRotated] = useState<KeyWithSecret | null>(null);
  const update = useUpdateKey();
  const rotate = useRotateKey();
  const remove = useDeleteKey();
  const close = () => setOpen(null);

  const toggleDisabled = () => {
    const disabled = !keyItem.disabled;
    update.mutate(
      { id: keyItem.id, body: { disabled } },
      {
        onSuccess: () => toast.success(disabled ? "Key disabled" : "Key enabled"),
        onError: (e) => toast.error(disabled ? "The key could not be disabled" : "The key could not be enabled", errorMessage(e)),
      },
    );
  };

  return (
    <>
      <DropdownMenu>
        <DropdownMenuTrigger asChild>
          <Button variant="ghost" size="icon" aria-label={`Actions for ${keyItem.name}`} loading={update.isPending && !open}>
            {!(update.isPending && !open) && <MoreHorizontal />}
          </Button>
        </DropdownMenuTrigger>
        <DropdownMenuContent align="end">
          <DropdownMenuItem onSelect={() => setOpen("rename")}>
            <Pencil aria-hidden />
            Rename
          </DropdownMenuItem>
          {/* A management key never calls models: spending and rate limits do not apply to it. */}
          {!keyItem.management && (
            <>
              <DropdownMenuItem onSelect={() => setOpen("limit")}>
                <Gauge aria-hidden />
                Change limit
              </DropdownMenuItem>
              <DropdownMenuItem onSelect={() => setOpen("rates")}>
                <Timer aria-hidden />
                Rate limits
              </DropdownMenuItem>
            </>
          )}
          <DropdownMenuItem onSelect={toggleDisabled}>
            {keyItem.disabled ? <CircleCheck aria-hidden /> : <Ban aria-hidden />}
            {keyItem.disabled ? "Enable" : "Disable"}
          </DropdownMenuItem>
          <DropdownMenuItem onSelect={() => setOpen("rotate")}>
            <RefreshCw aria-hidden />
            Rotate
          </DropdownMenuItem>
          <DropdownMenuSeparator />
          <DropdownMenuItem className="text-destructive focus:bg-destructive/10 focus:text-destructive" onSelect={() => setOpen("delete")}>
            <Trash2 aria-hidden />
            Delete
          </DropdownMenuItem>
        </DropdownMenuContent>
      </DropdownMenu>

      <RenameKeyDialog keyItem={keyItem} open={open === "rename"} onOpenChange={(o) => setOpen(o ? "rename" : null)} />
      <LimitKeyDialog keyItem={keyItem} open={open === "limit"} onOpenChange={(o) => setOpen(o ? "limit" : null)} />
      <RateLimitKeyDialog keyItem={keyItem} open={open === "rates"} onOpenChange={(o) => setOpen(o ? "rates" : null)} />

      <ConfirmDialog
        open={open === "rotate"}
        onOpenChange={(o) => {
          if (!o) rotate.reset();
          setOpen(o ? "rotate" : null);
        }}
        title={`Rotate key “${keyItem.name}”?`}
        description={
          <>
            You get a new secret for this key; the current one stops working at once, so update the apps that use it.
            {rotate.error && <span className="mt-2 block font-medium text-destructive">{errorMessage(rotate.error)}</span>}
          </>
        }
        confirmLabel="Rotate key"
        loading={rotate.isPending}
        onConfirm={() =>
          rotate.mutate(keyItem.id, {
            onSuccess: (result) => {
              close();
              setRotated(result);
            },
          })
        }
      />

      <ConfirmDialog
        open={open === "delete"}
        onOpenChange={(o) => {
          if (!o) remove.reset();
          setOpen(o ? "delete" : null);
        }}
        title={`Delete key “${keyItem.name}”?`}
        description={
          <>
            Applications using it stop working at once.
            {remove.error && <span className="mt-2 block font-medium text-destructive">{errorMessage(remove.error)}</span>}
          </>
        }
        confirmLabel="Delete key"
        loading={remove.isPending}
        onConfirm={() =>
          remove.mutate(keyItem.id, {
            onSuccess: () => {
              close();
              toast.success("Key deleted");
            },
          })
        }
      />

      <Dialog open={rotated !== null} onOpenChange={(o) => !o && setRotated(null)}>
        {/* Shown once: only its own buttons close it (not a click outside, not Escape). */}
        <DialogContent
          onInteractOutside={(e) => e.preventDefault()}
          onEscapeKeyDown={(e) => e.preventDefault()}
          hideClose
        >
          {rotated && (
            <SecretReveal
              title={`New secret for “${rotated.key.name}”`}
              secret={rotated.secret}
              management={rotated.key.management}
              onDone={() => setRotated(null)}
            />
          )}
        </DialogContent>
      </Dialog>
    </>
  );
}
