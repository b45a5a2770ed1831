import { Activity, Boxes, CreditCard, KeyRound, MessageSquare, ScrollText, Shield, Users } from "lucide-react";
import type { ComponentType } from "react";

export type NavItem = { to: string; label: string; icon: ComponentType<{ className?: string }>; admin?: boolean };

export const navItems: NavItem[] = [
  { to: "/activity", label: "Activity", icon: Activity },
  { to: "/logs", label: "Logs", icon: ScrollText },
  { to: "/keys", label: "API keys", icon: KeyRound },
  { to: "/credits", label: "Credits", icon: CreditCard },
  { to: "/models", label: "Models", icon: Boxes },
  { to: "/playground", label: "Playground", icon: MessageSquare },
  { to: "/admin/users", label: "Users", icon: Users, admin: true },
  { to: "/admin/catalog", label: "Providers & prices", icon: Shield, admin: true },
];
