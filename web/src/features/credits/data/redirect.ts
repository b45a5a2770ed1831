/** Sends the browser to another site (Stripe Checkout). Its own module so tests can replace it. */
export function redirectTo(url: string) {
  window.location.assign(url);
}
