import { CreditCard, Info } from "lucide-react";
import { useState, type FormEvent } from "react";
import { formatUsd, wholeUsdToMicros } from "@/lib/money";
import { cn } from "@/lib/utils";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Field } from "@/components/ui/label";
import { FormError } from "@/components/ui/states";
import { toast } from "@/components/ui/toast";
import { UsdInput } from "@/components/ui/usd-input";
import { checkAmount, DEFAULT_BOUNDS, PRESETS_USD } from "../data/amount";
import { useCheckout, useServerConfig } from "../data/credits";
import { redirectTo } from "../data/redirect";

export function TopUpCard() {
  const config = useServerConfig();
  const payments = config.data?.payments;
  // Without /api/config the documented defaults apply and the server has the last word.
  const bounds = payments ?? DEFAULT_BOUNDS;
  const provider = payments?.provider;
  const off = provider === "none";

  const [preset, setPreset] = useState<number | null>(25);
  const [custom, setCustom] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [redirecting, setRedirecting] = useState(false);
  const checkout = useCheckout();

  const note =
    provider === "stripe"
      ? "You pay on Stripe's secure checkout page, then come back here."
      : provider === "sandbox"
        ? "Sandbox payments: credits are added at once, no card needed."
        : null;

  const text = preset !== null ? String(preset) : custom;
  const check = checkAmount(text, bounds);

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (check.error !== null) {
      setError(check.error);
      return;
    }
    setError(null);
    checkout.mutate(check.usd, {
      onSuccess: (result) => {
        if (result.checkout_url) {
          setRedirecting(true);
          redirectTo(result.checkout_url);
        } else if (result.topup.status === "completed") {
          toast.success(`Added ${formatUsd(result.topup.amount_micros)} to your balance`);
        } else {
          toast.info("Your top-up is waiting for the payment to be confirmed");
        }
      },
    });
  };

  return (
    <Card className="flex flex-col">
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          <CreditCard className="size-4 text-muted-foreground" aria-hidden />
          Top up
        </CardTitle>
        <CardDescription>Credits pay for requests at each model's listed price. They do not expire.</CardDescription>
      </CardHeader>
      <CardContent className="flex-1">
        {off && (
          <div role="note" className="mb-4 flex gap-2 rounded-lg border bg-muted/50 p-3 text-sm">
            <Info className="mt-0.5 size-4 shrink-0 text-muted-foreground" aria-hidden />
            <p>
              <span className="font-medium">Top-ups are not enabled on this server.</span>{" "}
              <span className="text-muted-foreground">Ask an admin to add credits to your account.</span>
            </p>
          </div>
        )}
        <form onSubmit={onSubmit} noValidate>
          <fieldset disabled={off || config.isPending || redirecting} className="grid gap-4 disabled:opacity-60">
            <legend className="sr-only">Top-up amount</legend>
            <div className="grid grid-cols-4 gap-2" role="group" aria-label="Preset amounts">
              {PRESETS_USD.map((usd) => {
                const micros = wholeUsdToMicros(usd);
                const outside = micros < bounds.min_micros || micros > bounds.max_micros;
                const pressed = preset === usd;
                return (
                  <Button
                    key={usd}
                    variant="outline"
                    aria-pressed={pressed}
                    disabled={outside}
                    className={cn(
                      "tabular-nums",
                      pressed && "border-primary bg-primary/10 text-primary hover:bg-primary/15 hover:text-primary",
                    )}
                    onClick={() => {
                      setPreset(usd);
                      setCustom("");
                      setError(null);
                    }}
                  >
                    ${usd}
                  </Button>
                );
              })}
            </div>
            <Field
              id="topup-custom"
              label="Custom amount (USD)"
              error={error}
              hint={`From ${formatUsd(bounds.min_micros)} to ${formatUsd(bounds.max_micros)}, in whole cents.`}
            >
              <UsdInput
                id="topup-custom"
                autoComplete="off"
                placeholder="Other amount"
                value={custom}
                onChange={(e) => {
                  setCustom(e.target.value);
                  setPreset(null);
                  setError(null);
                }}
                aria-invalid={!!error}
                aria-describedby={error ? "topup-custom-error" : "topup-custom-hint"}
              />
            </Field>
            <FormError error={checkout.error} />
            <div className="grid gap-2">
              <Button type="submit" loading={checkout.isPending || redirecting} className="w-full">
                Add credits
              </Button>
              {note && <p className="text-center text-xs text-muted-foreground">{note}</p>}
            </div>
          </fieldset>
        </form>
      </CardContent>
    </Card>
  );
}
