import { PageHeader } from "@/components/ui/page-header";

export default function ModelPage(_: { params: Record<string, string> }) {
  return <PageHeader title="Model" description="Coming in this session." />;
}
