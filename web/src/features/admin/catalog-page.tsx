import { PageHeader } from "@/components/ui/page-header";

export default function AdminCatalogPage(_: { params: Record<string, string> }) {
  return <PageHeader title="Providers & prices" description="Coming in this session." />;
}
