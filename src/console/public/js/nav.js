// Lets pages re-render themselves after a change without importing the router (main.js).

let handler = async () => {};
let pending = null;

export function onRefresh(fn) {
  handler = fn;
}

/**
 * Renders the current page again; `focus` is a selector to focus afterwards, `flash` a message
 * that the page shows once (as a status) when it renders.
 */
export async function refresh({ focus, flash } = {}) {
  pending = { focus, flash };
  await handler();
}

/** The focus selector and flash message the last refresh asked for, once. */
export function takePending() {
  const p = pending;
  pending = null;
  return p ?? {};
}
