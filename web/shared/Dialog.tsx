import type { ComponentChildren } from 'preact';
import { useId, useLayoutEffect, useRef } from 'preact/hooks';

interface DialogProps {
  /** The heading; it also names the dialog for assistive technology. */
  title: string;
  /** Called when the dialog closes for any reason: Escape, the close button, or a parent action. */
  onClose: () => void;
  /**
   * Asked before Escape or the close button dismiss the dialog; return false to keep it open
   * (for example while generated passwords have not been saved yet).
   */
  canDismiss?: () => boolean;
  size?: 'small' | 'medium' | 'large';
  /**
   * Change it when the dialog swaps its content for a next step (form → result): focus then
   * moves to the new step's `autofocus` element, or to the heading, as it did when it opened.
   */
  step?: string;
  children: ComponentChildren;
}

/**
 * A modal on the native `<dialog>`: `showModal()` makes the rest of the page inert, traps focus
 * and closes on Escape; closing returns focus to whatever opened it. Render it to open it and
 * stop rendering it to close it.
 */
export function Dialog({ title, onClose, canDismiss, size = 'medium', step, children }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const headingId = useId();
  // The latest callbacks, for listeners attached once.
  const latest = useRef({ onClose, canDismiss });
  latest.current = { onClose, canDismiss };

  useLayoutEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const onCancel = (event: Event) => {
      if (latest.current.canDismiss && !latest.current.canDismiss()) event.preventDefault();
    };
    const onNativeClose = () => latest.current.onClose();
    dialog.addEventListener('cancel', onCancel);
    dialog.addEventListener('close', onNativeClose);
    if (!dialog.open) dialog.showModal();
    return () => {
      dialog.removeEventListener('cancel', onCancel);
      dialog.removeEventListener('close', onNativeClose);
      // Closing before the element leaves the page puts focus back where it was.
      if (dialog.open) dialog.close();
    };
  }, []);

  const shownStep = useRef(step);
  useLayoutEffect(() => {
    if (shownStep.current === step) return;
    shownStep.current = step;
    const dialog = ref.current;
    const target =
      dialog?.querySelector<HTMLElement>('[autofocus]') ?? dialog?.querySelector<HTMLElement>('h2');
    target?.focus();
  }, [step]);

  const dismiss = () => {
    if (canDismiss && !canDismiss()) return;
    ref.current?.close();
  };

  return (
    <dialog ref={ref} class={`dialog dialog-${size}`} aria-labelledby={headingId}>
      <div class="dialog-header">
        <h2 id={headingId} tabIndex={-1}>
          {title}
        </h2>
        <button type="button" class="icon-button dialog-close" aria-label="Close dialog" onClick={dismiss}>
          <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false" class="icon">
            <path d="M6 6l12 12M18 6L6 18" />
          </svg>
        </button>
      </div>
      <div class="dialog-body">{children}</div>
    </dialog>
  );
}

/** The row of buttons at the bottom of a dialog; the primary action goes last. */
export function DialogActions({ children }: { children: ComponentChildren }) {
  return <div class="dialog-actions">{children}</div>;
}
