/** The current time as RFC 3339 UTC with milliseconds, the form every stored time has. */
export function nowIso(): string {
  return new Date().toISOString();
}
