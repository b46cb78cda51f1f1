/**
 * A menu item's text with why it cannot be used now, when it cannot: keyboard and screen-reader
 * users never get a hover title, so the reason is part of what the item says.
 */
export const explained = (action: string, why: string | undefined): string =>
  why ? `${action} (${why})` : action;
