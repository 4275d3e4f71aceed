import { lastEntryStart, splitAddresses } from '../../web/portal/address-list';
import { MAX_SUGGESTIONS, suggestContacts, type Contact } from '../../web/portal/suggest-contacts';

const CONTACTS: Contact[] = [
  { address: 'jane.doe@partner.test', name: 'Doe, Jane' },
  { address: 'dan@vendor.test' },
  { address: 'carol@partner.test', name: 'Carol Danvers' },
  { address: 'erin@vendor.test', name: "Erin O'Hara" },
];
const suggest = (typed: string, present: string[] = []) =>
  suggestContacts(CONTACTS, typed, present).map((c) => c.address);

describe('suggestContacts', () => {
  test('by the start of the address or of a word of the name, in the given order, case aside', () => {
    expect(suggest('dan')).toEqual(['dan@vendor.test', 'carol@partner.test']);
    expect(suggest('  JA')).toEqual(['jane.doe@partner.test']);
    expect(suggest('doe')).toEqual(['jane.doe@partner.test']);
    expect(suggest('hara')).toEqual(['erin@vendor.test']);
  });

  test('inside the address from three characters on, not before', () => {
    expect(suggest('vendor')).toEqual(['dan@vendor.test', 'erin@vendor.test']);
    expect(suggest('ve')).toEqual([]);
  });

  test('nothing for nothing typed, and never someone already in the field', () => {
    expect(suggest('')).toEqual([]);
    expect(suggest('   ')).toEqual([]);
    expect(suggest('dan', ['DAN@vendor.test'])).toEqual(['carol@partner.test']);
  });

  test(`at most ${MAX_SUGGESTIONS}`, () => {
    const many = Array.from({ length: 20 }, (_, i) => ({ address: `p${i}@x.test` }));
    expect(suggestContacts(many, 'p', [])).toHaveLength(MAX_SUGGESTIONS);
  });
});

describe('address list entries', () => {
  test('split at commas, semicolons and newlines outside quotes and angle brackets', () => {
    expect(splitAddresses('"Doe, Jane" <jane@x.test>, bob@y.test; <odd,one@z.test>\ncarl@z.test,,')).toEqual([
      '"Doe, Jane" <jane@x.test>',
      'bob@y.test',
      '<odd,one@z.test>',
      'carl@z.test',
    ]);
    expect(splitAddresses('')).toEqual([]);
  });

  test('the entry being typed starts after the last separator', () => {
    expect(lastEntryStart('')).toBe(0);
    expect(lastEntryStart('jan')).toBe(0);
    expect(lastEntryStart('a@x.test, ja')).toBe(9);
    expect(lastEntryStart('"Doe, Ja')).toBe(0);
    expect(lastEntryStart('😀 <a@x.test>; b')).toBe('😀 <a@x.test>;'.length);
  });
});
