import { KeyRound, Plus } from "lucide-react";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { PageHeader } from "@/components/ui/page-header";
import { EmptyState, ErrorState } from "@/components/ui/states";
import { CreateKeyDialog } from "./components/create-key-dialog";
import { KeysTable, KeysTableSkeleton } from "./components/keys-table";
import { useKeys } from "./data/keys";

export default function KeysPage() {
  const keys = useKeys();
  const [creating, setCreating] = useState(false);
  const list = keys.data?.keys;

  return (
    <>
      <PageHeader
        title="API keys"
        description="Keys let your apps call any model through Turnpike's OpenAI-compatible API. Each can have its own spending limit."
        actions={
          <Button onClick={() => setCreating(true)}>
            <Plus aria-hidden />
            Create key
          </Button>
        }
      />
      {keys.isPending ? (
        <KeysTableSkeleton />
      ) : keys.isError ? (
        <ErrorState error={keys.error} onRetry={() => keys.refetch()} title="Your keys could not be loaded" />
      ) : list && list.length > 0 ? (
        <KeysTable keys={list} />
      ) : (
        <EmptyState
          icon={<KeyRound />}
          title="No API keys yet"
          description="Create a key, then use it as the Bearer token of any OpenAI-compatible client."
          action={
            <Button onClick={() => setCreating(true)}>
              <Plus aria-hidden />
              Create your first key
            </Button>
          }
        />
      )}
      <CreateKeyDialog open={creating} onOpenChange={setCreating} />
    </>
  );
}
