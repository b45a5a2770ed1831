import { ShieldAlert, SquareTerminal } from "lucide-react";
import { setPlaygroundKey } from "@/hooks/use-playground-key";
import { useServerConfig } from "@/lib/queries";
import { navigate } from "@/lib/router";
import { Button } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";
import { DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";

/**
 * The body of a dialog that shows a key's secret, the only time it is ever shown: after
 * creation and after rotation. A management key's cannot call models, so it is not offered to
 * the playground.
 */
export function SecretReveal({
  title,
  secret,
  management = false,
  onDone,
}: {
  title: string;
  secret: string;
  management?: boolean;
  onDone: () => void;
}) {
  const config = useServerConfig();
  const gatewayUrl = config.data?.gateway_url;
  const baseUrl = gatewayUrl ? gatewayUrl.replace(/\/+$/, "") + "/api/v1" : null;
  return (
    <>
      <DialogHeader>
        <DialogTitle>{title}</DialogTitle>
        <DialogDescription>
          {management
            ? "A management key: use it as a Bearer token on the gateway's /api/v1/keys to create, change and delete your other keys. It cannot call models."
            : "Use it as a Bearer token with any OpenAI-compatible client."}
        </DialogDescription>
      </DialogHeader>
      <div
        role="note"
        className="flex gap-3 rounded-lg border border-warning/50 bg-warning/10 p-3 text-sm"
      >
        <ShieldAlert className="mt-0.5 size-4 shrink-0 text-warning" aria-hidden />
        <p>
          <span className="font-medium">Copy this key now. It will not be shown again.</span>{" "}
          <span className="text-muted-foreground">Turnpike keeps only a fingerprint of it; if you lose it, rotate the key.</span>
        </p>
      </div>
      <div className="grid gap-2">
        <label htmlFor="new-key-secret" className="text-sm font-medium">
          Your API key
        </label>
        <div className="flex items-start gap-2">
          <textarea
            id="new-key-secret"
            data-testid="new-key-secret"
            readOnly
            autoFocus
            value={secret}
            rows={3}
            spellCheck={false}
            onFocus={(e) => e.currentTarget.select()}
            className="field-sizing-content min-w-0 flex-1 resize-none rounded-md border border-input bg-muted/50 px-3 py-2 font-mono text-sm break-all focus-visible:outline-2 focus-visible:outline-offset-0 focus-visible:outline-ring"
          />
          <CopyButton value={secret} label="Copy key" />
        </div>
        {baseUrl && (
          <p className="text-xs text-muted-foreground">
            Base URL: <code className="rounded bg-muted px-1 py-0.5 font-mono text-foreground break-all">{baseUrl}</code>
          </p>
        )}
      </div>
      <DialogFooter>
        {!management && (
          <Button
            variant="outline"
            onClick={() => {
              setPlaygroundKey(secret);
              onDone();
              navigate("/playground");
            }}
          >
            <SquareTerminal aria-hidden />
            Open in playground
          </Button>
        )}
        <Button onClick={onDone}>Done</Button>
      </DialogFooter>
    </>
  );
}
