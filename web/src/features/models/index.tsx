import { PageHeader } from "@/components/ui/page-header";

export default function ModelsPage(_: { params: Record<string, string> }) {
  return <PageHeader title="Models" description="Coming in this session." />;
}
