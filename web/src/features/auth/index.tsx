import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState, type FormEvent } from "react";
import { api, ApiError, call } from "@/lib/api";
import { queryKeys } from "@/lib/queries";
import { navigate, useSearchParams } from "@/lib/router";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Field } from "@/components/ui/label";
import { Link } from "@/components/ui/link";
import { FormError } from "@/components/ui/states";
import { Logo } from "@/components/layout/logo";
import { validateCredentials, type CredentialErrors } from "./validate";

/** Sign-in and sign-up share one form; `mode` picks the endpoint and the wording. */
export default function AuthPage({ mode }: { mode: "signin" | "signup" }) {
  const queryClient = useQueryClient();
  const [params] = useSearchParams();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [fieldErrors, setFieldErrors] = useState<CredentialErrors>({});
  const signup = mode === "signup";
  // Switching between sign-in and sign-up keeps the email but never the password: a password
  // mistyped on the sign-in form must not become the new account's password. Errors from the
  // other form go too. (State adjusted during render, as React's docs advise for a changed prop.)
  const [shownMode, setShownMode] = useState(mode);
  if (shownMode !== mode) {
    setShownMode(mode);
    setPassword("");
    setFieldErrors({});
  }

  const submit = useMutation({
    mutationFn: async () => {
      const body = { email: email.trim(), password };
      if (signup) await call(() => api.POST("/api/auth/signup", { body }));
      else await call(() => api.POST("/api/auth/login", { body }));
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries();
      await queryClient.refetchQueries({ queryKey: queryKeys.me });
      const next = params.get("next");
      navigate(next && next.startsWith("/") && !next.startsWith("//") ? next : signup ? "/keys" : "/", { replace: true });
    },
  });
  const { reset } = submit;
  useEffect(() => reset(), [mode, reset]);

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const errors = validateCredentials(email, password, mode);
    setFieldErrors(errors);
    if (Object.keys(errors).length === 0) submit.mutate();
  };

  const serverError = submit.error;
  const emailTaken = serverError instanceof ApiError && serverError.status === 409;

  return (
    <main className="flex min-h-dvh items-center justify-center bg-muted/40 px-4 py-10">
      <div className="w-full max-w-sm">
        <div className="mb-6 flex justify-center">
          <Logo />
        </div>
        <Card>
          <CardHeader>
            <CardTitle className="text-xl">{signup ? "Create your account" : "Sign in"}</CardTitle>
            <CardDescription>
              {signup ? "One endpoint for every model, with prepaid credits." : "Welcome back. Sign in to manage keys, credits and usage."}
            </CardDescription>
          </CardHeader>
          <CardContent>
            <form className="grid gap-4" onSubmit={onSubmit} noValidate>
              <Field id="email" label="Email" error={fieldErrors.email}>
                <Input
                  id="email"
                  type="email"
                  autoComplete="email"
                  value={email}
                  onChange={(e) => {
                    setEmail(e.target.value);
                    // "An account with this email already exists" is about the email typed then.
                    if (submit.error) submit.reset();
                  }}
                  aria-invalid={!!fieldErrors.email}
                  aria-describedby={fieldErrors.email ? "email-error" : undefined}
                  autoFocus
                />
              </Field>
              <Field
                id="password"
                label="Password"
                error={fieldErrors.password}
                hint={signup ? "At least 8 characters." : undefined}
              >
                <Input
                  id="password"
                  type="password"
                  autoComplete={signup ? "new-password" : "current-password"}
                  value={password}
                  onChange={(e) => setPassword(e.target.value)}
                  aria-invalid={!!fieldErrors.password}
                  aria-describedby={fieldErrors.password ? "password-error" : signup ? "password-hint" : undefined}
                />
              </Field>
              {serverError && (
                <FormError
                  error={
                    emailTaken
                      ? new Error("An account with this email already exists. Sign in instead.")
                      : serverError
                  }
                />
              )}
              <Button type="submit" loading={submit.isPending} className="w-full">
                {signup ? "Create account" : "Sign in"}
              </Button>
            </form>
            <p className="mt-4 text-center text-sm text-muted-foreground">
              {signup ? "Already have an account? " : "New to Turnpike? "}
              <Link to={signup ? "/signin" : "/signup"} className="font-medium text-primary hover:underline">
                {signup ? "Sign in" : "Create an account"}
              </Link>
            </p>
          </CardContent>
        </Card>
      </div>
    </main>
  );
}
