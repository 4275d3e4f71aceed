import { useEffect, useState } from 'preact/hooks';

type Tone = 'success' | 'info' | 'error';
interface Toast {
  id: number;
  message: string;
  tone: Tone;
}

let push: ((toast: Toast) => void) | undefined;
let nextId = 1;
const SHOW_MS = 8000;

/** Confirms something that just happened, e.g. "XtraMail is on for example.com". */
export function toast(message: string, tone: Tone = 'success'): void {
  push?.({ id: nextId++, message, tone });
}

/**
 * Where toasts appear. The live region is always in the page, so screen readers announce each
 * message as it is added; each one can be dismissed, and leaves by itself after a few seconds.
 */
export function Toaster() {
  const [toasts, setToasts] = useState<Toast[]>([]);
  useEffect(() => {
    const timers = new Set<ReturnType<typeof setTimeout>>();
    push = (item) => {
      setToasts((list) => [...list.slice(-2), item]);
      const timer = setTimeout(() => {
        timers.delete(timer);
        setToasts((list) => list.filter((t) => t.id !== item.id));
      }, SHOW_MS);
      timers.add(timer);
    };
    return () => {
      push = undefined;
      for (const timer of timers) clearTimeout(timer);
    };
  }, []);
  const dismiss = (id: number) => setToasts((list) => list.filter((t) => t.id !== id));
  return (
    <div class="toaster" role="status" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} class={`toast toast-${t.tone}`}>
          <p>{t.message}</p>
          <button type="button" class="toast-dismiss" onClick={() => dismiss(t.id)}>
            Dismiss
          </button>
        </div>
      ))}
    </div>
  );
}
