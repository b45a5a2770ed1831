import { useQueryClient } from "@tanstack/react-query";
import { Columns3, Plus, Trash2, X } from "lucide-react";
import { useMemo, useState } from "react";
import { getPlaygroundKey, usePlaygroundKey } from "@/hooks/use-playground-key";
import { errorMessage } from "@/lib/errors";
import { formatNumber } from "@/lib/format";
import { formatUsdExact } from "@/lib/money";
import { queryKeys, useCatalog, useServerConfig } from "@/lib/queries";
import { useSearchParams } from "@/lib/router";
import { cn } from "@/lib/utils";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { ErrorState } from "@/components/ui/states";
import { ChatOptions } from "./components/chat-options";
import { Composer } from "./components/composer";
import { KeyField, type KeyMode } from "./components/key-field";
import { MessageList, type TurnActions } from "./components/message-list";
import { ModelPicker } from "./components/model-picker";
import { gatewayBase } from "./data/chat";
import { formatLatency } from "./data/latency";
import { defaultModel, findModel, isChatModel, sortModels } from "./data/models";
import { parseChatOptions, type ChatOptionsErrors, type ChatOptionsValue } from "./data/options";
import { dropSessionKey, sessionKey } from "./data/session-key";
import { useChat, type Chat, type ChatTotals, type SendOptions } from "./data/use-chat";

/** At most this many models answer side by side. */
const MAX_COLUMNS = 3;

function TotalLine({ totals, testId = "conversation-total" }: { totals: ChatTotals; testId?: string }) {
  if (totals.answers === 0) return <p className="text-xs text-muted-foreground">No answers yet</p>;
  return (
    <p className="text-xs text-muted-foreground" data-testid={testId}>
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

/** The models in the address: ?model=a for one, ?compare=a,b,c side by side. */
function modelsFromParams(params: URLSearchParams): string[] {
  const compare = params.get("compare");
  if (compare !== null) return compare.split(",").slice(0, MAX_COLUMNS);
  const one = params.get("model");
  return one === null ? [] : [one];
}

export default function PlaygroundPage() {
  const queryClient = useQueryClient();
  const catalog = useCatalog();
  const config = useServerConfig();
  const [params, setParams] = useSearchParams();
  const pasted = usePlaygroundKey();
  // A key handed over by the Keys page ("Open in playground") is used as pasted.
  const [keyMode, setKeyMode] = useState<KeyMode>(() => (getPlaygroundKey() ? "paste" : "session"));
  const [draft, setDraft] = useState("");
  const [options, setOptions] = useState<ChatOptionsValue>({ system: "", temperature: "", maxTokens: "" });
  const [optionErrors, setOptionErrors] = useState<ChatOptionsErrors>({});
  const [keyError, setKeyError] = useState<string | null>(null);
  const [modelError, setModelError] = useState<string | null>(null);
  const [preparing, setPreparing] = useState(false);

  const onSettled = () => {
    // The answer was billed: the balance in the header and on Credits changed.
    void queryClient.invalidateQueries({ queryKey: queryKeys.me });
    void queryClient.invalidateQueries({ queryKey: queryKeys.credits });
  };
  // One conversation per column, always MAX_COLUMNS hooks (the unused ones stay empty).
  const chatOptions = { onSettled, onRefused: dropSessionKey };
  const chat0 = useChat(chatOptions);
  const chat1 = useChat(chatOptions);
  const chat2 = useChat(chatOptions);
  const allChats: Chat[] = [chat0, chat1, chat2];

  const models = useMemo(() => sortModels((catalog.data?.models ?? []).filter(isChatModel)), [catalog.data]);
  const fallback = useMemo(() => defaultModel(models)?.id ?? "", [models]);
  const requested = modelsFromParams(params);
  const columns = requested.length > 0 ? requested.map((id) => id || fallback) : [fallback];
  const comparing = params.get("compare") !== null;
  const chats = allChats.slice(0, columns.length);
  const streaming = chats.some((c) => c.streaming) || preparing;
  const gateway = gatewayBase(config.data?.gateway_url);
  const nameOf = (id: string) => findModel(catalog.data, id)?.name ?? null;

  const setColumns = (ids: string[]) => {
    if (ids.length > 1) setParams({ compare: ids.join(","), model: null });
    else setParams({ compare: null, model: ids[0] ?? null });
  };

  /** Checks key, models and options; the options to send (per column), or null after showing what is missing. */
  const prepare = async (): Promise<SendOptions[] | null> => {
    const missing = columns.findIndex((id) => !findModel(catalog.data, id));
    // Max tokens must suit every model asked.
    const maxOutput = Math.min(...columns.map((id) => findModel(catalog.data, id)?.max_output || Infinity));
    const parsed = parseChatOptions(options, Number.isFinite(maxOutput) ? maxOutput : null);
    setOptionErrors(parsed.ok ? {} : parsed.errors);
    const noKey = keyMode === "paste" && pasted.trim() === "";
    setKeyError(noKey ? "Paste an API key first (it starts with sk-tp-), or use a session key." : null);
    const id = columns[missing] ?? "";
    const noModel = missing < 0 ? null : id ? `“${id}” is not in the catalog. Choose another model.` : "Choose a model first.";
    setModelError(noModel);
    if (!parsed.ok || noKey || noModel) {
      const first = noKey ? "playground-key" : noModel ? modelFieldId(missing) : !parsed.ok && parsed.errors.temperature ? "playground-temperature" : "playground-max-tokens";
      document.getElementById(first)?.focus();
      return null;
    }
    let apiKey = pasted.trim();
    if (keyMode === "session") {
      setPreparing(true);
      try {
        apiKey = await sessionKey();
      } catch (e) {
        setKeyError("A session key could not be made: " + errorMessage(e));
        return null;
      } finally {
        setPreparing(false);
      }
    }
    return columns.map((model) => ({
      gateway,
      apiKey,
      model,
      system: options.system,
      temperature: parsed.temperature,
      maxTokens: parsed.maxTokens,
    }));
  };

  const send = async (text: string) => {
    const t = text.trim();
    if (!t || streaming) return;
    const opts = await prepare();
    if (!opts) return;
    opts.forEach((o, i) => chats[i]!.send(t, o));
    setDraft("");
  };

  const actionsFor = (i: number): TurnActions => ({
    onRetry: (id) =>
      void prepare().then((opts) => {
        if (opts) chats[i]!.retry(id, opts[i]!);
      }),
    onRemove: (id) => chats[i]!.remove(id),
    modelName: nameOf,
  });

  const total: ChatTotals = chats.reduce<ChatTotals>(
    (a, c) => ({
      answers: a.answers + c.totals.answers,
      promptTokens: a.promptTokens + c.totals.promptTokens,
      completionTokens: a.completionTokens + c.totals.completionTokens,
      costMicros: a.costMicros + c.totals.costMicros,
      costKnown: a.costKnown && c.totals.costKnown,
    }),
    { answers: 0, promptTokens: 0, completionTokens: 0, costMicros: 0, costKnown: true },
  );
  const empty = chats.every((c) => c.turns.length === 0);
  const single = findModel(catalog.data, columns[0]!);

  return (
    <div>
      <PageHeader
        title="Playground"
        description="Chat with any model through the gateway, or compare two or three side by side. Answers are billed and logged like any other request."
      />
      <div className="grid gap-6 lg:grid-cols-[20rem_minmax(0,1fr)]">
        <Card className="grid h-fit gap-5 p-4 sm:p-5">
          <KeyField
            mode={keyMode}
            onModeChange={(m) => {
              setKeyMode(m);
              setKeyError(null);
            }}
            error={keyError}
          />
          {catalog.isError ? (
            <ErrorState error={catalog.error} onRetry={() => catalog.refetch()} title="The models could not be loaded" />
          ) : (
            <div className="grid gap-4">
              {columns.map((id, i) => (
                <ModelPicker
                  key={i}
                  id={modelFieldId(i)}
                  label={comparing ? `Model ${i + 1}` : "Model"}
                  models={models}
                  value={id}
                  loading={catalog.isPending}
                  error={modelError && (findModel(catalog.data, id) ? null : modelError)}
                  onChange={(next) => {
                    setModelError(null);
                    setColumns(columns.map((c, j) => (j === i ? next : c)));
                  }}
                  action={
                    comparing && (
                      <Button
                        variant="ghost"
                        size="sm"
                        className="h-6 px-1.5 text-xs"
                        disabled={streaming}
                        aria-label={`Remove model ${i + 1} from the comparison`}
                        onClick={() => {
                          // The columns after it move left, and their conversations with them.
                          for (let j = i; j < MAX_COLUMNS; j++) allChats[j]!.load(allChats[j + 1]?.turns ?? []);
                          setColumns(columns.filter((_, j) => j !== i));
                        }}
                      >
                        <X aria-hidden />
                        Remove
                      </Button>
                    )
                  }
                />
              ))}
              {columns.length < MAX_COLUMNS && !catalog.isPending && (
                <Button
                  variant="outline"
                  size="sm"
                  disabled={streaming}
                  onClick={() => {
                    const other = models.find((m) => !columns.includes(m.id) && m.endpoints.some((e) => e.available))?.id ?? fallback;
                    setColumns([...columns, other]);
                  }}
                >
                  {comparing ? <Plus aria-hidden /> : <Columns3 aria-hidden />}
                  {comparing ? "Add a third model" : "Compare with another model"}
                </Button>
              )}
            </div>
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

        {/* On a phone the conversation comes first, sized so its message box is on screen
            without scrolling; the key, model and options follow it. */}
        <Card className="order-first flex h-[calc(100dvh-15rem)] min-h-[22rem] min-w-0 flex-col overflow-hidden lg:order-none lg:h-[min(44rem,calc(100dvh-10rem))] lg:min-h-[26rem]">
          <div className="flex items-center justify-between gap-3 border-b px-3 py-2.5 sm:px-5">
            <div className="min-w-0">
              <h2 className="truncate text-sm font-semibold">{comparing ? `Comparing ${columns.length} models` : single ? single.name : "Conversation"}</h2>
              <TotalLine totals={total} />
            </div>
            <Button
              variant="ghost"
              size="sm"
              onClick={() => chats.forEach((c) => c.clear())}
              disabled={empty}
            >
              <Trash2 aria-hidden />
              Clear chat
            </Button>
          </div>
          {comparing ? (
            <div className="relative flex min-h-0 flex-1 snap-x snap-mandatory overflow-x-auto" role="group" aria-label="Side by side">
              {columns.map((id, i) => (
                <section
                  key={i}
                  aria-label={`Model ${i + 1}: ${nameOf(id) ?? id}`}
                  data-testid="compare-column"
                  className={cn("flex min-h-0 w-[88%] shrink-0 snap-start flex-col md:w-auto md:shrink md:flex-1 md:basis-0", i > 0 && "border-l")}
                >
                  <ColumnHeader name={nameOf(id) ?? id} chat={chats[i]!} />
                  <MessageList turns={chats[i]!.turns} streaming={chats[i]!.streaming} modelName={nameOf(id)} onExample={(t) => void send(t)} actions={actionsFor(i)} compact />
                </section>
              ))}
            </div>
          ) : (
            <MessageList turns={chat0.turns} streaming={chat0.streaming} modelName={single?.name ?? null} onExample={(t) => void send(t)} actions={actionsFor(0)} />
          )}
          <Composer value={draft} onChange={setDraft} onSend={() => void send(draft)} onStop={() => chats.forEach((c) => c.stop())} streaming={streaming} />
        </Card>
      </div>
    </div>
  );
}

function modelFieldId(i: number): string {
  return i === 0 ? "playground-model" : `playground-model-${i + 1}`;
}

/** A comparison column's model, and its last answer's cost and latency. */
function ColumnHeader({ name, chat }: { name: string; chat: Chat }) {
  const last = [...chat.turns].reverse().find((t) => t.role === "assistant" && t.status !== "streaming");
  return (
    <div className="border-b bg-muted/30 px-3 py-2">
      <h3 className="truncate text-sm font-medium" title={name}>
        {name}
      </h3>
      <p className="flex flex-wrap gap-x-2 text-xs text-muted-foreground" data-testid="column-figures">
        {last?.usage ? (
          <>
            <span className="tabular-nums font-medium text-foreground" data-testid="column-cost">
              {last.usage.cost_micros === null ? "cost unknown" : formatUsdExact(last.usage.cost_micros)}
            </span>
            {last.latencyMs != null && (
              <span className="tabular-nums" data-testid="column-latency">
                {formatLatency(last.latencyMs)}
              </span>
            )}
            <span className="tabular-nums">{formatNumber(last.usage.completion_tokens)} out</span>
          </>
        ) : (
          <span>{chat.streaming ? "Answering…" : "No answer yet"}</span>
        )}
      </p>
    </div>
  );
}
