import { PageHeader } from "@/components/ui/page-header";

export default function AdminUsersPage(_: { params: Record<string, string> }) {
  return <PageHeader title="Users" description="Coming in this session." />;
}
