import { Eye, EyeOff } from "lucide-react";
import { useState } from "react";
import { setPlaygroundKey, usePlaygroundKey } from "@/hooks/use-playground-key";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Link } from "@/components/ui/link";

/** A password-style input for the API key secret, with a show/hide toggle. */
export function KeyField({ error }: { error?: string | null }) {
  const value = usePlaygroundKey();
  const [shown, setShown] = useState(false);
  const describedBy = error ? "playground-key-error" : "playground-key-hint";
  return (
    <div className="grid gap-1.5">
      <Label htmlFor="playground-key">API key</Label>
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
    </div>
  );
}
