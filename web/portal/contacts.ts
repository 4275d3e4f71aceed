import { useEffect, useState } from 'preact/hooks';
import { portalApi } from './nav';
import type { Contact } from './suggest-contacts';

const loaded = new Map<string, Promise<Contact[]>>();

/** After sending: the next Compose fetches again, so whoever was just written to is suggested. */
export const forgetContacts = (address: string) => loaded.delete(address);

/** The signed-in user's contacts, fetched once per user until they send; none while loading or on error. */
export function useContacts(address: string): Contact[] {
  const [contacts, setContacts] = useState<Contact[]>([]);
  useEffect(() => {
    let current = true;
    let request = loaded.get(address);
    if (!request) {
      request = portalApi
        .get<{ items: Contact[] }>('/api/portal/contacts')
        .then((page) => page.items)
        .catch(() => {
          loaded.delete(address);
          return [];
        });
      loaded.set(address, request);
    }
    void request.then((items) => current && setContacts(items));
    return () => {
      current = false;
    };
  }, [address]);
  return contacts;
}
