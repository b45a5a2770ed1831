import { PageHeader } from "@/components/ui/page-header";

export default function LogPage(_: { params: Record<string, string> }) {
  return <PageHeader title="Request" description="Coming in this session." />;
}
