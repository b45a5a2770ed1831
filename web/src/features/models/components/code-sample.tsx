import { useState } from "react";
import { useServerConfig } from "@/lib/queries";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { CopyButton } from "@/components/ui/copy-button";
import { Link } from "@/components/ui/link";
import { Skeleton } from "@/components/ui/skeleton";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { API_KEY_ENV, apiBaseUrl, codeSample, sampleLanguages, type SampleLanguage } from "../data/code-samples";

const STORAGE_KEY = "turnpike.models.sampleLanguage";

function storedLanguage(): SampleLanguage {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    if (sampleLanguages.some((l) => l.value === v)) return v as SampleLanguage;
  } catch {
    // Storage can be off (private windows); the default is fine.
  }
  return "curl";
}

/** "Use this model": a request to the gateway in curl, Python or TypeScript, ready to copy. */
export function CodeSample({ modelId }: { modelId: string }) {
  const config = useServerConfig();
  const [language, setLanguage] = useState<SampleLanguage>(storedLanguage);
  // An older server without /api/config, or one with no gateway URL: the gateway's default port here.
  const baseUrl = apiBaseUrl(config.data?.gateway_url ?? null);
  const code = codeSample(language, baseUrl, modelId);

  const pick = (v: string) => {
    const lang = v as SampleLanguage;
    setLanguage(lang);
    try {
      localStorage.setItem(STORAGE_KEY, lang);
    } catch {
      // Not remembered, that is all.
    }
  };

  return (
    <Card className="min-w-0">
      <CardHeader>
        <CardTitle>Use this model</CardTitle>
        <CardDescription>
          The gateway speaks the OpenAI API at <code className="font-mono text-foreground break-words">{baseUrl}</code>. Set{" "}
          <code className="font-mono text-foreground">{API_KEY_ENV}</code> to a key from{" "}
          <Link to="/keys" className="font-medium text-primary hover:underline">
            API keys
          </Link>
          .
        </CardDescription>
      </CardHeader>
      <CardContent>
        <Tabs value={language} onValueChange={pick}>
          <div className="flex items-center justify-between gap-2">
            <TabsList aria-label="Language">
              {sampleLanguages.map((l) => (
                <TabsTrigger key={l.value} value={l.value}>
                  {l.label}
                </TabsTrigger>
              ))}
            </TabsList>
            <CopyButton value={code} label="Copy code sample" disabled={config.isPending} />
          </div>
          {sampleLanguages.map((l) => (
            <TabsContent key={l.value} value={l.value}>
              {config.isPending ? (
                <Skeleton className="h-44 w-full" />
              ) : (
                <pre
                  className="overflow-x-auto rounded-lg border bg-muted/50 p-4 font-mono text-xs leading-relaxed"
                  data-testid="code-sample"
                >
                  <code>{codeSample(l.value, baseUrl, modelId)}</code>
                </pre>
              )}
            </TabsContent>
          ))}
        </Tabs>
      </CardContent>
    </Card>
  );
}
