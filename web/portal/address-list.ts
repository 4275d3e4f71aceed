/** Where each entry of an address list starts: after each separator outside quotes and `<…>`. */
function entryStarts(value: string): number[] {
  const starts = [0];
  let quoted = false;
  let angle = false;
  for (let index = 0; index < value.length; index++) {
    const char = value[index];
    if (char === '"') quoted = !quoted;
    else if (char === '<' && !quoted) angle = true;
    else if (char === '>' && !quoted) angle = false;
    else if ((char === ',' || char === ';' || char === '\n') && !quoted && !angle) starts.push(index + 1);
  }
  return starts;
}

/** Splits "Ann <ann@x.org>, bob@y.org; carl@z.org" into entries, respecting quoted names. */
export function splitAddresses(value: string): string[] {
  const starts = entryStarts(value);
  return starts
    .map((start, index) => value.slice(start, index + 1 < starts.length ? starts[index + 1] - 1 : undefined))
    .map((part) => part.trim())
    .filter(Boolean);
}

/** Where the entry being typed (the last one) starts, so a suggestion can replace just it. */
export const lastEntryStart = (value: string): number => entryStarts(value).at(-1)!;
