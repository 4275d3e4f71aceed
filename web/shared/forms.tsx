import type { ComponentChildren, Ref } from 'preact';
import { useId } from 'preact/hooks';
import { Icon, type IconName } from './icons';

interface FieldProps {
  label: string;
  type?: 'text' | 'email' | 'password' | 'search' | 'datetime-local';
  name: string;
  value: string;
  onValue: (value: string) => void;
  autoComplete?: string;
  required?: boolean;
  autoFocus?: boolean;
  disabled?: boolean;
  minLength?: number;
  maxLength?: number;
  min?: string;
  max?: string;
  placeholder?: string;
  hint?: ComponentChildren;
  /** A problem with this field's value; shown under it and linked with `aria-describedby`. */
  error?: string;
  inputRef?: Ref<HTMLInputElement>;
  class?: string;
}

/** A labelled input with an optional hint and error, wired up with `aria-describedby`. */
export function Field(props: FieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [props.hint ? hintId : '', props.error ? errorId : ''].filter(Boolean).join(' ');
  return (
    <div class={`field${props.class ? ` ${props.class}` : ''}`}>
      <label for={id}>{props.label}</label>
      <input
        id={id}
        ref={props.inputRef}
        // Preact 11 types `type` as a discriminated union; every value here is a text-like input.
        type={(props.type ?? 'text') as 'text'}
        name={props.name}
        value={props.value}
        onInput={(event) => props.onValue(event.currentTarget.value)}
        autoComplete={props.autoComplete}
        required={props.required}
        autoFocus={props.autoFocus}
        disabled={props.disabled}
        minLength={props.minLength}
        maxLength={props.maxLength}
        min={props.min}
        max={props.max}
        placeholder={props.placeholder}
        spellcheck={false}
        autoCapitalize="off"
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={describedBy || undefined}
      />
      {props.hint && (
        <p id={hintId} class="field-hint">
          {props.hint}
        </p>
      )}
      {props.error && (
        <p id={errorId} class="field-error">
          {props.error}
        </p>
      )}
    </div>
  );
}

interface SelectProps<V extends string> {
  label: string;
  /** Hide the label visually (it still names the control), e.g. inside a table row. */
  hideLabel?: boolean;
  name: string;
  value: V;
  options: readonly { value: V; label: string }[];
  onValue: (value: V) => void;
  disabled?: boolean;
  class?: string;
}

export function Select<V extends string>(props: SelectProps<V>) {
  const id = useId();
  return (
    <div class={`field${props.class ? ` ${props.class}` : ''}`}>
      <label for={id} class={props.hideLabel ? 'sr-only' : undefined}>
        {props.label}
      </label>
      <select
        id={id}
        name={props.name}
        value={props.value}
        disabled={props.disabled}
        onChange={(event) => props.onValue(event.currentTarget.value as V)}
      >
        {props.options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
}

interface ButtonProps {
  children: ComponentChildren;
  type?: 'button' | 'submit';
  variant?: 'primary' | 'secondary' | 'quiet' | 'danger';
  /** Shows a spinner and blocks clicks while an action is in flight; the label stays the same. */
  busy?: boolean;
  disabled?: boolean;
  onClick?: () => void;
  class?: string;
  icon?: IconName;
  /** A fuller name than the visible text, e.g. "Set password for ann@example.com". */
  label?: string;
  autoFocus?: boolean;
}

export function Button({
  children,
  type = 'button',
  variant = 'secondary',
  busy,
  disabled,
  onClick,
  icon,
  label,
  autoFocus,
  ...rest
}: ButtonProps) {
  return (
    <button
      type={type}
      class={`button button-${variant}${rest.class ? ` ${rest.class}` : ''}`}
      disabled={disabled || busy}
      aria-busy={busy ? 'true' : undefined}
      aria-label={label}
      autoFocus={autoFocus}
      onClick={onClick}
    >
      {icon && <Icon name={icon} />}
      {children}
    </button>
  );
}

interface IconButtonProps {
  icon: IconName;
  /** The accessible name, e.g. "Set password for ann@example.com". */
  label: string;
  /** The short visible tip shown on hover and keyboard focus, e.g. "Set password". */
  tip: string;
  onClick: () => void;
}

/** A compact icon button for table rows, with its name shown as a tip on hover and focus. */
export function IconButton({ icon, label, tip, onClick }: IconButtonProps) {
  return (
    <button
      type="button"
      class="icon-button icon-button-bordered has-tip"
      aria-label={label}
      data-tip={tip}
      onClick={onClick}
    >
      <Icon name={icon} />
    </button>
  );
}

interface AlertProps {
  tone?: 'error' | 'info' | 'success' | 'warning';
  title?: string;
  children: ComponentChildren;
}

/**
 * A message box. Errors use `role="alert"` so screen readers announce them at once; other tones
 * are polite `status` messages. Give it a changing `key` to announce a repeated message again.
 */
export function Alert({ tone = 'info', title, children }: AlertProps) {
  return (
    <div class={`alert alert-${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
      {title && <p class="alert-title">{title}</p>}
      <div class="alert-body">{children}</div>
    </div>
  );
}
