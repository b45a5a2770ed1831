export type CredentialErrors = { email?: string; password?: string };

/** The checks the server makes too, said before the round trip. */
export function validateCredentials(email: string, password: string, mode: "signin" | "signup"): CredentialErrors {
  const errors: CredentialErrors = {};
  const e = email.trim();
  if (!e) errors.email = "Enter your email address.";
  else if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e)) errors.email = "That doesn't look like an email address.";
  if (!password) errors.password = "Enter your password.";
  else if (mode === "signup" && password.length < 8) errors.password = "Use at least 8 characters.";
  else if (password.length > 256) errors.password = "Use at most 256 characters.";
  return errors;
}
