import { PageHeader } from "@/components/ui/page-header";

export default function KeysPage(_: { params: Record<string, string> }) {
  return <PageHeader title="API keys" description="Coming in this session." />;
}
