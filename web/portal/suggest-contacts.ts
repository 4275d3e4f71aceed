/** `GET /api/portal/contacts`: people from the user's recent mail, best first. */
export interface Contact {
  address: string;
  name?: string;
}

export const MAX_SUGGESTIONS = 8;

/**
 * The contacts worth offering for what is being typed: those whose address, or a word of whose
 * name, starts with it (or whose address holds it, from three characters on), and who are not
 * in the field already. Their order (the server's ranking) is kept.
 */
export function suggestContacts(contacts: Contact[], typed: string, present: string[]): Contact[] {
  const query = typed.trim().toLowerCase();
  if (!query) return [];
  const taken = new Set(present.map((address) => address.toLowerCase()));
  const matches = (contact: Contact) =>
    contact.address.startsWith(query) ||
    (query.length >= 3 && contact.address.includes(query)) ||
    (contact.name ?? '')
      .toLowerCase()
      .split(/[\s,."'()]+/)
      .some((word) => word.startsWith(query));
  return contacts.filter((c) => !taken.has(c.address) && matches(c)).slice(0, MAX_SUGGESTIONS);
}
