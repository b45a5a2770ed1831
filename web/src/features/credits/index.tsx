import { PageHeader } from "@/components/ui/page-header";

export default function CreditsPage(_: { params: Record<string, string> }) {
  return <PageHeader title="Credits" description="Coming in this session." />;
}
