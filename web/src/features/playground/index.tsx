import { PageHeader } from "@/components/ui/page-header";

export default function PlaygroundPage(_: { params: Record<string, string> }) {
  return <PageHeader title="Playground" description="Coming in this session." />;
}
