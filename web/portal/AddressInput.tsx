import type { ComponentChildren, Ref } from 'preact';
import { useId, useState } from 'preact/hooks';
import { suggestContacts, type Contact } from './suggest-contacts';
import { lastEntryStart } from './address-list';
import { parseRecipients } from './draft';

/**
 * A recipients field that suggests people from the user's recent mail for the address being
 * typed (the text after the last comma), as an ARIA 1.2 combobox: ↓/↑ move, Enter or Tab
 * takes the highlighted one, Escape closes the list, and a click takes one too.
 */
export function AddressInput(props: {
  label: string;
  name: string;
  value: string;
  onValue: (value: string) => void;
  contacts: Contact[];
  hint?: ComponentChildren;
  error?: string;
  inputRef?: Ref<HTMLInputElement>;
}) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const start = lastEntryStart(props.value);
  const suggestions = open
    ? suggestContacts(
        props.contacts,
        props.value.slice(start),
        parseRecipients(props.value.slice(0, start)).addresses,
      )
    : [];
  const shown = suggestions.length > 0;
  const highlighted = Math.min(active, suggestions.length - 1);
  const describedBy = [props.hint ? `${id}-hint` : '', props.error ? `${id}-error` : '']
    .filter(Boolean)
    .join(' ');

  const take = (contact: Contact) => {
    const kept = props.value.slice(0, start).trimEnd();
    props.onValue(`${kept ? `${kept} ` : ''}${contact.address}, `);
    setOpen(false);
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      if (!shown) {
        setOpen(true);
        setActive(0);
      } else {
        const step = event.key === 'ArrowDown' ? 1 : -1;
        setActive((highlighted + step + suggestions.length) % suggestions.length);
      }
      event.preventDefault();
    } else if (
      (event.key === 'Enter' || (event.key === 'Tab' && !event.shiftKey)) &&
      shown &&
      !event.ctrlKey &&
      !event.metaKey
    ) {
      take(suggestions[highlighted]);
      event.preventDefault();
    } else if (event.key === 'Escape' && shown) {
      setOpen(false);
      event.preventDefault();
      event.stopPropagation();
    }
  };

  return (
    <div class="field address-field">
      <label for={id}>{props.label}</label>
      <div class="address-control">
        <input
          id={id}
          ref={props.inputRef}
          type="text"
          name={props.name}
          value={props.value}
          onInput={(event) => {
            props.onValue(event.currentTarget.value);
            setOpen(true);
            setActive(0);
          }}
          onKeyDown={onKeyDown}
          onBlur={() => setOpen(false)}
          autoComplete="off"
          spellcheck={false}
          autoCapitalize="off"
          role="combobox"
          aria-autocomplete="list"
          aria-expanded={shown ? 'true' : 'false'}
          aria-controls={`${id}-list`}
          aria-activedescendant={shown ? `${id}-option-${highlighted}` : undefined}
          aria-invalid={props.error ? 'true' : undefined}
          aria-describedby={describedBy || undefined}
        />
        <ul
          id={`${id}-list`}
          role="listbox"
          aria-label="Recipient suggestions"
          class="suggestions"
          hidden={!shown}
        >
          {suggestions.map((contact, index) => (
            <li
              key={contact.address}
              id={`${id}-option-${index}`}
              role="option"
              aria-selected={index === highlighted ? 'true' : 'false'}
              class="suggestion"
              // Mouse down, not click: the input keeps focus, so its blur does not close the list first.
              onMouseDown={(event) => {
                event.preventDefault();
                take(contact);
              }}
            >
              {contact.name ? (
                <>
                  <span class="suggestion-name">{contact.name}</span>{' '}
                  <span class="suggestion-address">{contact.address}</span>
                </>
              ) : (
                <span class="suggestion-name">{contact.address}</span>
              )}
            </li>
          ))}
        </ul>
      </div>
      {props.hint && (
        <p id={`${id}-hint`} class="field-hint">
          {props.hint}
        </p>
      )}
      {props.error && (
        <p id={`${id}-error`} class="field-error">
          {props.error}
        </p>
      )}
    </div>
  );
}
