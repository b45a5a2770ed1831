import { Eye, EyeOff } from "lucide-react";
import { useState } from "react";
import { setPlaygroundKey, usePlaygroundKey } from "@/hooks/use-playground-key";
import { cn } from "@/lib/utils";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Link } from "@/components/ui/link";

export type KeyMode = "session" | "paste";

/**
 * Which key the chat uses: a session key the dashboard makes (data/session-key.ts), or a pasted
 * secret (a password-style input with a show/hide toggle). Both stay in this tab's memory only.
 */
export function KeyField({ mode, onModeChange, error }: { mode: KeyMode; onModeChange: (m: KeyMode) => void; error?: string | null }) {
  const value = usePlaygroundKey();
  const [shown, setShown] = useState(false);
  const describedBy = error ? "playground-key-error" : "playground-key-hint";
  const choice = (m: KeyMode, label: string) => (
    <button
      type="button"
      role="radio"
      aria-checked={mode === m}
      onClick={() => onModeChange(m)}
      className={cn(
        "h-8 flex-1 cursor-pointer rounded-sm px-2 text-sm font-medium transition-colors focus-visible:outline-2 focus-visible:outline-ring",
        mode === m ? "bg-background text-foreground shadow-xs" : "text-muted-foreground hover:text-foreground",
      )}
    >
      {label}
    </button>
  );
  return (
    <div className="grid gap-1.5">
      <span className="text-sm font-medium" id="playground-key-choice">
        Key
      </span>
      <div role="radiogroup" aria-labelledby="playground-key-choice" className="flex gap-1 rounded-md bg-muted p-1">
        {choice("session", "Session key")}
        {choice("paste", "Paste a key")}
      </div>
      {mode === "session" ? (
        <p id="playground-key-hint" className="text-xs text-muted-foreground">
          The dashboard makes a key of yours that expires in an hour, holds it only in this tab, and lists it on{" "}
          <Link to="/keys" className="font-medium text-primary underline-offset-2 hover:underline">
            Keys
          </Link>{" "}
          as “Playground session”. Saved keys' secrets are shown only once, so paste one to use it.
        </p>
      ) : (
        <>
          <Label htmlFor="playground-key" className="sr-only">
            API key
          </Label>
          <div className="relative">
            <Input
              id="playground-key"
              type={shown ? "text" : "password"}
              value={value}
              onChange={(e) => setPlaygroundKey(e.target.value.trim() === "" ? null : e.target.value.trim())}
              placeholder="sk-tp-v1-…"
              autoComplete="off"
              autoCapitalize="off"
              spellCheck={false}
              data-1p-ignore
              data-lpignore="true"
              className="pr-10 font-mono"
              aria-invalid={!!error}
              aria-describedby={describedBy}
            />
            <Button
              variant="ghost"
              size="icon"
              className="absolute right-0 top-0 text-muted-foreground"
              onClick={() => setShown((s) => !s)}
              aria-label={shown ? "Hide key" : "Show key"}
              aria-pressed={shown}
              aria-controls="playground-key"
            >
              {shown ? <EyeOff /> : <Eye />}
            </Button>
          </div>
          {error ? (
            <p id="playground-key-error" role="alert" className="text-xs font-medium text-destructive">
              {error}{" "}
              <Link to="/keys" className="underline underline-offset-2">
                Create a key
              </Link>
            </p>
          ) : (
            <p id="playground-key-hint" className="text-xs text-muted-foreground">
              Kept only in this tab's memory, never saved.{" "}
              <Link to="/keys" className="font-medium text-primary underline-offset-2 hover:underline">
                Create a key
              </Link>
            </p>
          )}
        </>
      )}
    </div>
  );
}
