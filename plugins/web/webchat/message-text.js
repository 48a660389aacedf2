// A message's text as DOM nodes (no HTML is parsed): the assistant's link-page URLs as links, work
// order numbers in a span that never wraps.

/** The account-link page (`{PUBLIC_URL}/link/<code>`): the one kind of URL a reply makes clickable. */
const LINK_PAGE = /https?:\/\/[^\s]+?\/link\/[A-Za-z0-9_-]+/g;

/** A work order number (`OT-CORR-CAT-001-20261124170414-768`): shown unbroken, never split at a hyphen. */
const ORDER_NUMBER = /\bOT-[A-Z0-9]+(?:-[A-Z0-9]+)*/gi;

/**
 * Appends `text` to `element`; with `links` (the assistant's plain answers), link-page URLs of this
 * gateway (same origin) become links.
 */
export function fillText(element, text, links) {
  let at = 0;
  for (const match of links ? text.matchAll(LINK_PAGE) : []) {
    if (new URL(match[0]).origin !== location.origin) continue;
    appendWithOrderNumbers(element, text.slice(at, match.index));
    const anchor = document.createElement('a');
    anchor.href = match[0];
    anchor.textContent = match[0];
    anchor.target = '_blank';
    anchor.rel = 'noopener noreferrer';
    element.append(anchor);
    at = match.index + match[0].length;
  }
  appendWithOrderNumbers(element, text.slice(at));
}

function appendWithOrderNumbers(element, text) {
  let at = 0;
  for (const match of text.matchAll(ORDER_NUMBER)) {
    element.append(text.slice(at, match.index));
    const number = document.createElement('span');
    number.className = 'order-number';
    number.textContent = match[0];
    element.append(number);
    at = match.index + match[0].length;
  }
  element.append(text.slice(at));
}
