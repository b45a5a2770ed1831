import { KeyRound, MessageSquare } from "lucide-react";
import { Button } from "./button";
import { Link } from "./link";

/** The two ways to make a first request, for empty states: try the playground, or create an API key. */
export function GetStartedActions() {
  return (
    <div className="flex flex-wrap justify-center gap-2">
      <Button asChild>
        <Link to="/playground">
          <MessageSquare />
          Open the playground
        </Link>
      </Button>
      <Button asChild variant="outline">
        <Link to="/keys">
          <KeyRound />
          Create an API key
        </Link>
      </Button>
    </div>
  );
}
