import * as DialogPrimitive from "@radix-ui/react-dialog";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { AlertTriangle, LogOut, Menu, Monitor, Moon, Settings, Sun, X } from "lucide-react";
import { useState, type ReactNode } from "react";
import { api, call, type Me } from "@/lib/api";
import { formatUsd } from "@/lib/money";
import { navigate, useLocation } from "@/lib/router";
import { useTheme, type Theme } from "@/lib/theme";
import { cn } from "@/lib/utils";
import { Button } from "@/components/ui/button";
import { Link } from "@/components/ui/link";
import { TooltipProvider } from "@/components/ui/tooltip";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { Logo } from "./logo";
import { navItems } from "./nav";

function NavLinks({ me, onNavigate }: { me: Me; onNavigate?: () => void }) {
  const { path } = useLocation();
  const items = navItems.filter((i) => !i.admin || me.user.is_admin);
  return (
    <nav aria-label="Main" className="grid gap-0.5">
      {items.map((item, i) => {
        const active = path === item.to || path.startsWith(item.to + "/");
        const firstAdmin = item.admin && !items[i - 1]?.admin;
        return (
          <div key={item.to}>
            {firstAdmin && <p className="mt-4 mb-1 px-3 text-xs font-medium uppercase tracking-wide text-muted-foreground">Admin</p>}
            <Link
              to={item.to}
              onClick={onNavigate}
              aria-current={active ? "page" : undefined}
              className={cn(
                "flex items-center gap-3 rounded-md px-3 py-2 text-sm font-medium text-muted-foreground transition-colors hover:bg-accent hover:text-accent-foreground",
                active && "bg-accent text-accent-foreground",
              )}
            >
              <item.icon className="size-4" />
              {item.label}
            </Link>
          </div>
        );
      })}
    </nav>
  );
}

const themeIcons: Record<Theme, ReactNode> = { light: <Sun />, dark: <Moon />, system: <Monitor /> };

function UserMenu({ me }: { me: Me }) {
  const [theme, setTheme] = useTheme();
  const queryClient = useQueryClient();
  const signOut = useMutation({
    mutationFn: () => call(() => api.POST("/api/auth/logout")),
    onSettled: () => {
      queryClient.clear();
      navigate("/signin", { replace: true });
    },
  });
  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button variant="ghost" className="h-9 gap-2 px-2" aria-label="Account menu">
          <span className="flex size-7 items-center justify-center rounded-full bg-primary/15 text-xs font-semibold uppercase text-primary">
            {me.user.email.slice(0, 1)}
          </span>
          <span className="hidden max-w-48 truncate text-sm md:inline">{me.user.email}</span>
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="end" className="w-56">
        <DropdownMenuLabel>
          Signed in as
          <span className="block truncate font-medium text-foreground">{me.user.email}</span>
        </DropdownMenuLabel>
        <DropdownMenuSeparator />
        <DropdownMenuLabel>Theme</DropdownMenuLabel>
        {(["light", "dark", "system"] as Theme[]).map((t) => (
          <DropdownMenuItem key={t} onSelect={() => setTheme(t)} aria-checked={theme === t} role="menuitemradio">
            {themeIcons[t]}
            <span className="capitalize">{t}</span>
            {theme === t && <span className="ml-auto text-xs text-muted-foreground">✓</span>}
          </DropdownMenuItem>
        ))}
        <DropdownMenuSeparator />
        <DropdownMenuItem onSelect={() => navigate("/settings")}>
          <Settings />
          Settings
        </DropdownMenuItem>
        <DropdownMenuItem onSelect={() => signOut.mutate()}>
          <LogOut />
          Sign out
        </DropdownMenuItem>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}

/** The signed-in frame: a sidebar on wide screens, a drawer on phones, and a top bar. */
export default function AppShell({ me, children }: { me: Me; children: ReactNode }) {
  const [drawer, setDrawer] = useState(false);
  // The low-balance alert the user set in Settings.
  const threshold = me.low_balance_alert_micros ?? null;
  const low = threshold !== null && me.balance_micros < threshold;
  return (
    <TooltipProvider>
      <div className="min-h-dvh bg-background">
        <a href="#main" className="sr-only focus:not-sr-only focus:fixed focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-background focus:px-3 focus:py-2">
          Skip to content
        </a>
        <aside className="fixed inset-y-0 left-0 z-30 hidden w-60 flex-col border-r bg-card px-3 py-4 lg:flex">
          <Link to="/" className="mb-6 px-2" aria-label="Turnpike home">
            <Logo />
          </Link>
          <NavLinks me={me} />
        </aside>
        <DialogPrimitive.Root open={drawer} onOpenChange={setDrawer}>
          <DialogPrimitive.Portal>
            <DialogPrimitive.Overlay className="fixed inset-0 z-40 bg-black/50 lg:hidden" />
            <DialogPrimitive.Content className="fixed inset-y-0 left-0 z-50 w-72 max-w-[85vw] border-r bg-card px-3 py-4 shadow-xl lg:hidden">
              <div className="mb-6 flex items-center justify-between px-2">
                <Logo />
                <DialogPrimitive.Close asChild>
                  <Button variant="ghost" size="icon" aria-label="Close menu">
                    <X />
                  </Button>
                </DialogPrimitive.Close>
              </div>
              <DialogPrimitive.Title className="sr-only">Navigation</DialogPrimitive.Title>
              <DialogPrimitive.Description className="sr-only">Pages of the dashboard</DialogPrimitive.Description>
              <NavLinks me={me} onNavigate={() => setDrawer(false)} />
            </DialogPrimitive.Content>
          </DialogPrimitive.Portal>
        </DialogPrimitive.Root>
        <div className="lg:pl-60">
          <header className="sticky top-0 z-20 flex h-14 items-center gap-2 border-b bg-background/90 px-4 backdrop-blur sm:px-6">
            <Button variant="ghost" size="icon" className="lg:hidden" aria-label="Open menu" onClick={() => setDrawer(true)}>
              <Menu />
            </Button>
            <Link to="/" className="lg:hidden" aria-label="Turnpike home">
              <Logo />
            </Link>
            <div className="ml-auto flex items-center gap-2">
              {low ? (
                <Link
                  to="/credits"
                  className="inline-flex items-center gap-1.5 rounded-md border border-warning/60 bg-warning/10 px-2.5 py-1 text-sm tabular-nums hover:bg-warning/20"
                  aria-label={`Low balance: ${formatUsd(me.balance_micros)}, below your alert at ${formatUsd(threshold!)}. Add credits`}
                  title={`Below your low-balance alert of ${formatUsd(threshold!)} (Settings)`}
                  data-testid="header-balance"
                  data-low="true"
                >
                  <AlertTriangle className="size-4 text-warning" aria-hidden />
                  <span className="hidden sm:inline">Low balance</span>
                  {formatUsd(me.balance_micros)}
                </Link>
              ) : (
                <Link
                  to="/credits"
                  className="hidden rounded-md border px-2.5 py-1 text-sm tabular-nums hover:bg-accent sm:inline-block"
                  aria-label="Credit balance"
                  data-testid="header-balance"
                >
                  {formatUsd(me.balance_micros)}
                </Link>
              )}
              <UserMenu me={me} />
            </div>
          </header>
          <main id="main" className="mx-auto w-full max-w-7xl px-4 py-6 sm:px-6 lg:py-8">
            {children}
          </main>
        </div>
      </div>
    </TooltipProvider>
  );
}
