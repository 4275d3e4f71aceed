import type { ComponentChildren, Ref } from 'preact';
import { useId } from 'preact/hooks';

interface FieldProps {
  label: string;
  type?: 'text' | 'email' | 'password';
  name: string;
  value: string;
  onValue: (value: string) => void;
  autoComplete?: string;
  required?: boolean;
  autoFocus?: boolean;
  disabled?: boolean;
  hint?: ComponentChildren;
  inputRef?: Ref<HTMLInputElement>;
}

/** A labelled input with an optional hint, wired up with `aria-describedby`. */
export function Field(props: FieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <div class="field">
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
        spellcheck={false}
        autoCapitalize="off"
        aria-describedby={props.hint ? hintId : undefined}
      />
      {props.hint && (
        <p id={hintId} class="field-hint">
          {props.hint}
        </p>
      )}
    </div>
  );
}

interface ButtonProps {
  children: ComponentChildren;
  type?: 'button' | 'submit';
  variant?: 'primary' | 'secondary' | 'quiet';
  /** Shows a spinner and blocks clicks while an action is in flight; the label stays the same. */
  busy?: boolean;
  disabled?: boolean;
  onClick?: () => void;
  class?: string;
}

export function Button({
  children,
  type = 'button',
  variant = 'secondary',
  busy,
  disabled,
  onClick,
  ...rest
}: ButtonProps) {
  return (
    <button
      type={type}
      class={`button button-${variant}${rest.class ? ` ${rest.class}` : ''}`}
      disabled={disabled || busy}
      aria-busy={busy ? 'true' : undefined}
      onClick={onClick}
    >
      {children}
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
