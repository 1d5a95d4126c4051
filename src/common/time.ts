/** The current time as RFC 3339 UTC with milliseconds, the form every stored time has. */
export function nowIso(): string {
  return new Date().toISOString();
}

/** Today's date (UTC) as YYYY-MM-DD: the day evidence validity is judged on. */
export function today(): string {
  return nowIso().slice(0, 10);
}
