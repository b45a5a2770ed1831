import { Download } from "lucide-react";
import { useState } from "react";
import { downloadCsv } from "@/lib/csv";
import { errorMessage } from "@/lib/errors";
import { Button } from "@/components/ui/button";
import { toast } from "@/components/ui/toast";

/** What an export produced: the file's name and text, and a note when it stopped at a cap. */
export type CsvExport = { filename: string; csv: string; truncatedNote?: string };

/** "Export CSV": builds the file with `build` (spinning meanwhile) and offers it as a download; a failure is toasted. */
export function ExportButton({ build, className }: { build: () => Promise<CsvExport>; className?: string }) {
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    try {
      const result = await build();
      downloadCsv(result.filename, result.csv);
      if (result.truncatedNote) toast.info(result.truncatedNote);
    } catch (error) {
      toast.error("The export failed", errorMessage(error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Button variant="outline" onClick={() => void run()} loading={busy} className={className}>
      <Download />
      Export CSV
    </Button>
  );
}
