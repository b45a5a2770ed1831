import { useQueryClient } from "@tanstack/react-query";
import { AlertTriangle, RotateCcw, Trash2, X } from "lucide-react";
import { useMemo, useState } from "react";
import { usePlaygroundKey } from "@/hooks/use-playground-key";
import { formatNumber } from "@/lib/format";
import { formatUsdExact } from "@/lib/money";
import { queryKeys, useCatalog, useServerConfig } from "@/lib/queries";
import { useSearchParams } from "@/lib/router";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Link } from "@/components/ui/link";
import { PageHeader } from "@/components/ui/page-header";
import { ErrorState } from "@/components/ui/states";
import { ChatOptions } from "./components/chat-options";
import { Composer } from "./components/composer";
import { KeyField } from "./components/key-field";
import { MessageList } from "./components/message-list";
import { ModelPicker } from "./components/model-picker";
import { gatewayBase, type ErrorDescription } from "./data/chat";
import { findModel, isAvailable, isChatModel, sortModels } from "./data/models";
import { parseChatOptions, type ChatOptionsErrors, type ChatOptionsValue } from "./data/options";
import { useChat, type ChatTotals, type SendOptions } from "./data/use-chat";

function ChatAlert({ error, onRetry, onDismiss }: { error: ErrorDescription; onRetry?: () => void; onDismiss: () => void }) {
  return (
    <div role="alert" className="mx-auto mt-4 flex max-w-3xl gap-3 rounded-lg border border-destructive/40 bg-destructive/5 p-3 text-sm">
      <AlertTriangle className="mt-0.5 size-4 shrink-0 text-destructive" aria-hidden />
      <div className="min-w-0 flex-1">
        <p className="font-medium text-destructive">{error.message}</p>
        {error.detail && <p className="mt-0.5 break-words text-muted-foreground">{error.detail}</p>}
        {(error.link || onRetry) && (
          <div className="mt-2 flex flex-wrap gap-2">
            {error.link && (
              <Button asChild size="sm" variant="outline">
                <Link to={error.link.to}>{error.link.label}</Link>
              </Button>
            )}
            {onRetry && (
              <Button size="sm" variant="ghost" onClick={onRetry}>
                <RotateCcw aria-hidden />
                Try again
              </Button>
            )}
          </div>
        )}
      </div>
      <button type="button" onClick={onDismiss} className="h-fit cursor-pointer rounded-sm opacity-60 hover:opacity-100 focus-visible:outline-2 focus-visible:outline-ring" aria-label="Dismiss">
        <X className="size-4" />
      </button>
    </div>
  );
}

function TotalLine({ totals }: { totals: ChatTotals }) {
  if (totals.answers === 0) return <p className="text-xs text-muted-foreground">No answers yet</p>;
  return (
    <p className="text-xs text-muted-foreground" data-testid="conversation-total">
      <span className="tabular-nums font-medium text-foreground">{(totals.costKnown ? "" : "≥ ") + formatUsdExact(totals.costMicros)}</span>
      {" for "}
      {totals.answers} {totals.answers === 1 ? "answer" : "answers"}
      <span className="hidden sm:inline">
        {" · "}
        <span className="tabular-nums">
          {formatNumber(totals.promptTokens)} in · {formatNumber(totals.completionTokens)} out
        </span>
      </span>
    </p>
  );
}

export default function PlaygroundPage() {
  const queryClient = useQueryClient();
  const catalog = useCatalog();
  const config = useServerConfig();
  const [params, setParams] = useSearchParams();
  const apiKey = usePlaygroundKey();
  const [draft, setDraft] = useState("");
  const [options, setOptions] = useState<ChatOptionsValue>({ system: "", temperature: "", maxTokens: "" });
  const [optionErrors, setOptionErrors] = useState<ChatOptionsErrors>({});
  const [keyError, setKeyError] = useState<string | null>(null);
  const [modelError, setModelError] = useState<string | null>(null);

  const chat = useChat({
    onSettled: () => {
      // The answer was billed: the balance in the header and on Credits changed.
      void queryClient.invalidateQueries({ queryKey: queryKeys.me });
      void queryClient.invalidateQueries({ queryKey: queryKeys.credits });
    },
  });

  const models = useMemo(() => sortModels((catalog.data?.models ?? []).filter(isChatModel)), [catalog.data]);
  const requested = params.get("model");
  const modelId = requested ?? models.find(isAvailable)?.id ?? "";
  const model = findModel(catalog.data, modelId);
  const gateway = gatewayBase(config.data?.gateway_url);

  /** Checks key, model and options; the options to send, or null after showing what is missing. */
  const prepare = (): SendOptions | null => {
    const parsed = parseChatOptions(options, model?.max_output ?? null);
    setOptionErrors(parsed.ok ? {} : parsed.errors);
    const noKey = apiKey.trim() === "";
    setKeyError(noKey ? "Paste an API key first (it starts with sk-tp-)." : null);
    const noModel = !model ? (modelId ? `“${modelId}” is not in the catalog. Choose another model.` : "Choose a model first.") : null;
    setModelError(noModel);
    if (!parsed.ok || noKey || noModel || !model) {
      const first = noKey ? "playground-key" : noModel ? "playground-model" : !parsed.ok && parsed.errors.temperature ? "playground-temperature" : "playground-max-tokens";
      document.getElementById(first)?.focus();
      return null;
    }
    return {
      gateway,
      apiKey: apiKey.trim(),
      model: model.id,
      system: options.system,
      temperature: parsed.temperature,
      maxTokens: parsed.maxTokens,
    };
  };

  const send = (text: string) => {
    const t = text.trim();
    if (!t || chat.streaming) return;
    const opts = prepare();
    if (!opts) return;
    chat.send(t, opts);
    setDraft("");
  };

  const retry = () => {
    const opts = prepare();
    if (opts) chat.retry(opts);
  };

  return (
    <div>
      <PageHeader
        title="Playground"
        description="Chat with any model through the gateway, using one of your API keys. Answers are billed and logged like any other request."
      />
      <div className="grid gap-6 lg:grid-cols-[20rem_minmax(0,1fr)]">
        <Card className="grid h-fit gap-5 p-4 sm:p-5">
          <KeyField error={keyError} />
          {catalog.isError ? (
            <ErrorState error={catalog.error} onRetry={() => catalog.refetch()} title="The models could not be loaded" />
          ) : (
            <ModelPicker
              models={models}
              value={modelId}
              loading={catalog.isPending}
              error={modelError}
              onChange={(id) => {
                setModelError(null);
                setParams({ model: id });
              }}
            />
          )}
          <ChatOptions
            value={options}
            errors={optionErrors}
            onChange={(v) => {
              setOptions(v);
              if (optionErrors.temperature || optionErrors.maxTokens) setOptionErrors({});
            }}
          />
          <p className="break-all text-xs text-muted-foreground">
            Sends to <code className="font-mono">{gateway}/api/v1</code>
          </p>
        </Card>

        <Card className="flex h-[min(44rem,calc(100dvh-10rem))] min-h-[26rem] flex-col overflow-hidden">
          <div className="flex items-center justify-between gap-3 border-b px-3 py-2.5 sm:px-5">
            <div className="min-w-0">
              <h2 className="truncate text-sm font-semibold">{model ? model.name : "Conversation"}</h2>
              <TotalLine totals={chat.totals} />
            </div>
            <Button variant="ghost" size="sm" onClick={chat.clear} disabled={chat.turns.length === 0 && !chat.error}>
              <Trash2 aria-hidden />
              Clear chat
            </Button>
          </div>
          <MessageList turns={chat.turns} streaming={chat.streaming} modelName={model?.name ?? null} onExample={send}>
            {chat.error && <ChatAlert error={chat.error} onDismiss={chat.dismissError} onRetry={chat.canRetry ? retry : undefined} />}
          </MessageList>
          <Composer value={draft} onChange={setDraft} onSend={() => send(draft)} onStop={chat.stop} streaming={chat.streaming} />
        </Card>
      </div>
    </div>
  );
}
