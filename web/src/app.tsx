import { lazy, Suspense, useEffect, type ComponentType, type LazyExoticComponent } from "react";
import { useMe } from "@/lib/queries";
import { matchPath, navigate, useLocation } from "@/lib/router";
import { Skeleton } from "@/components/ui/skeleton";
import { ErrorState } from "@/components/ui/states";

// Each page is its own chunk, so the first page loads only what it shows; the signed-in frame
// (menus, drawer, tooltips) is one too, so the sign-in page does not wait for it.
const AppShell = lazy(() => import("@/components/layout/app-shell"));
const AuthPage = lazy(() => import("@/features/auth"));
const KeysPage = lazy(() => import("@/features/keys"));
const CreditsPage = lazy(() => import("@/features/credits"));
const ModelsPage = lazy(() => import("@/features/models"));
const ModelPage = lazy(() => import("@/features/models/model-page"));
const ActivityPage = lazy(() => import("@/features/activity"));
const LogsPage = lazy(() => import("@/features/logs"));
const LogPage = lazy(() => import("@/features/logs/log-page"));
const PlaygroundPage = lazy(() => import("@/features/playground"));
const SettingsPage = lazy(() => import("@/features/settings"));
const AdminUsersPage = lazy(() => import("@/features/users"));
const AdminUserPage = lazy(() => import("@/features/users/user-page"));
const AdminCatalogPage = lazy(() => import("@/features/catalog"));

type Route = {
  pattern: string;
  page: LazyExoticComponent<ComponentType<{ params: Record<string, string> }>>;
  admin?: boolean;
  title: string;
};

// Pages receive their path parameters as `params` ("/models/*" gives the model id as params["*"]).
const routes: Route[] = [
  { pattern: "/keys", page: KeysPage, title: "API keys" },
  { pattern: "/credits", page: CreditsPage, title: "Credits" },
  { pattern: "/models", page: ModelsPage, title: "Models" },
  { pattern: "/models/*", page: ModelPage, title: "Model" },
  { pattern: "/activity", page: ActivityPage, title: "Activity" },
  { pattern: "/logs", page: LogsPage, title: "Logs" },
  { pattern: "/logs/:id", page: LogPage, title: "Request" },
  { pattern: "/playground", page: PlaygroundPage, title: "Playground" },
  { pattern: "/settings", page: SettingsPage, title: "Settings" },
  { pattern: "/admin/users", page: AdminUsersPage, title: "Users", admin: true },
  { pattern: "/admin/users/:id", page: AdminUserPage, title: "User", admin: true },
  { pattern: "/admin/catalog", page: AdminCatalogPage, title: "Providers & prices", admin: true },
];

/** The tab's title: "Turnpike · Credits", the product first as in the header. */
function pageTitle(page: string): string {
  return "Turnpike · " + page;
}

function PageFallback() {
  return (
    <div className="grid gap-4" aria-busy="true" aria-label="Loading">
      <Skeleton className="h-8 w-48" />
      <Skeleton className="h-4 w-80" />
      <Skeleton className="mt-4 h-64 w-full" />
    </div>
  );
}

function NotFound() {
  return (
    <div className="py-20 text-center">
      <h1 className="text-2xl font-semibold">Page not found</h1>
      <p className="mt-2 text-muted-foreground">There is nothing at this address.</p>
    </div>
  );
}

export function App() {
  const { path, search } = useLocation();
  const me = useMe();
  const publicPage = path === "/signin" || path === "/signup";

  useEffect(() => {
    if (me.isPending || me.isError) return;
    if (!me.data && !publicPage) {
      const next = path === "/" ? "" : "?next=" + encodeURIComponent(path + search);
      navigate("/signin" + next, { replace: true });
    } else if (me.data && publicPage) {
      navigate("/", { replace: true });
    } else if (me.data && path === "/") {
      navigate("/activity", { replace: true });
    }
  }, [me.isPending, me.isError, me.data, publicPage, path, search]);

  const match = routes.map((r) => ({ r, params: matchPath(r.pattern, path) })).find((m) => m.params !== null);
  useEffect(() => {
    document.title = pageTitle(publicPage ? (path === "/signup" ? "Sign up" : "Sign in") : (match?.r.title ?? "Page not found"));
  }, [match?.r.title, publicPage, path]);

  if (me.isError) {
    return (
      <div className="mx-auto max-w-lg p-10">
        <ErrorState error={me.error} onRetry={() => me.refetch()} title="Turnpike could not be reached" />
      </div>
    );
  }
  if (me.isPending) return null;

  if (publicPage) {
    if (me.data) return null;
    return (
      <Suspense fallback={null}>
        <AuthPage mode={path === "/signup" ? "signup" : "signin"} />
      </Suspense>
    );
  }
  if (!me.data) return null;

  const Page = match && (!match.r.admin || me.data.user.is_admin) ? match.r.page : null;
  return (
    <Suspense fallback={null}>
      <AppShell me={me.data}>
        <Suspense fallback={<PageFallback />}>{Page ? <Page params={match!.params!} /> : <NotFound />}</Suspense>
      </AppShell>
    </Suspense>
  );
}
