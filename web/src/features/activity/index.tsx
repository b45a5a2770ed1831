import { PageHeader } from "@/components/ui/page-header";

export default function ActivityPage(_: { params: Record<string, string> }) {
  return <PageHeader title="Activity" description="Coming in this session." />;
}
