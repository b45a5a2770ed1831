import { CheckCircle2, Info, X } from "lucide-react";
import { useEffect, useState } from "react";
import { useSearchParams } from "@/lib/router";
import { cn } from "@/lib/utils";
import { Button } from "@/components/ui/button";
import { useRefreshCredits } from "../data/credits";

type Outcome = "success" | "cancelled";

/** Stripe's refetch schedule after a successful checkout: its webhook usually lands within seconds. */
const REFRESH_AFTER_MS = [2_000, 5_000, 10_000, 20_000];

/**
 * Stripe sends the browser back with ?checkout=success|cancelled: say what happened, drop the
 * parameter (a reload must not repeat it), and refetch the balance until the webhook lands.
 */
export function CheckoutBanner() {
  const [params, setParams] = useSearchParams();
  const status = params.get("checkout");
  const outcome: Outcome | null = status === "success" || status === "cancelled" ? status : null;
  const [shown, setShown] = useState<Outcome | null>(outcome);
  const refresh = useRefreshCredits();

  // The banner follows the URL while rendering; the effect only drops the parameters.
  if (outcome !== null && outcome !== shown) setShown(outcome);
  useEffect(() => {
    if (outcome !== null) setParams({ checkout: null, session_id: null });
  }, [outcome, setParams]);

  useEffect(() => {
    if (shown !== "success") return;
    refresh();
    const timers = REFRESH_AFTER_MS.map((ms) => setTimeout(refresh, ms));
    return () => timers.forEach(clearTimeout);
  }, [shown, refresh]);

  if (!shown) return null;
  const success = shown === "success";
  return (
    <div
      role="status"
      className={cn(
        "mb-6 flex items-start gap-3 rounded-lg border p-4 text-sm",
        success ? "border-success/40 bg-success/10" : "bg-muted/50",
      )}
    >
      {success ? (
        <CheckCircle2 className="mt-0.5 size-4 shrink-0 text-success" aria-hidden />
      ) : (
        <Info className="mt-0.5 size-4 shrink-0 text-muted-foreground" aria-hidden />
      )}
      <p className="flex-1">
        {success
          ? "Payment received — your balance updates as soon as Stripe confirms it"
          : "Checkout cancelled — nothing was charged. You can try again whenever you like."}
      </p>
      <Button variant="ghost" size="icon" className="-my-2 -mr-2 size-8" aria-label="Dismiss" onClick={() => setShown(null)}>
        <X />
      </Button>
    </div>
  );
}
