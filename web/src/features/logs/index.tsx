import { PageHeader } from "@/components/ui/page-header";

export default function LogsPage(_: { params: Record<string, string> }) {
  return <PageHeader title="Logs" description="Coming in this session." />;
}
