import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { Alert, Button } from '../shared/forms';
import { asApiError } from '../shared/session';
import { toast } from '../shared/toast';
import {
  clearDraft,
  type Draft,
  type DraftAttachment,
  emptyDraft,
  hasContent,
  loadDraft,
  MAX_MESSAGE_BYTES,
  MAX_RECIPIENTS,
  parseRecipients,
  saveDraft,
} from './draft';
import { AddressInput } from './AddressInput';
import { forgetContacts, useContacts } from './contacts';
import { PIcon } from './icons';
import { lastMailPage, MailLayout } from './Mailbox';
import { APP, formatSize, type PortalSession, type UploadTicket } from './model';
import { go, portalApi } from './nav';
import type { MailStore } from './store';

interface Upload {
  loaded: number;
  error?: string;
}

type Problems = Partial<Record<'to' | 'cc' | 'bcc' | 'attachments', string>>;

export function Compose({ session, store }: { session: PortalSession; store: MailStore }) {
  const address = session.user.address;
  const [draft, setDraft] = useState<Draft>(() => loadDraft(address) ?? emptyDraft(lastMailPage()));
  const [uploads, setUploads] = useState<Record<string, Upload>>({});
  const [problems, setProblems] = useState<Problems>({});
  const [sendError, setSendError] = useState<{ message: string; attempt: number } | undefined>();
  const [sending, setSending] = useState(false);
  const requests = useRef(new Map<string, XMLHttpRequest>());
  const textArea = useRef<HTMLTextAreaElement>(null);
  const toInput = useRef<HTMLInputElement>(null);
  const bodyId = useId();
  const contacts = useContacts(address);

  // The draft survives a reload, until it is sent or discarded.
  useEffect(() => saveDraft(address, draft), [address, draft]);
  useEffect(() => {
    document.title = `${heading(draft)} · ${APP}`;
  }, [draft.inReplyTo, draft.forwardOf]);

  // Replies start in the text, above the quote; new messages and forwards in To.
  useEffect(() => {
    if (draft.inReplyTo && draft.to && textArea.current) {
      textArea.current.focus();
      textArea.current.setSelectionRange(0, 0);
      textArea.current.scrollTop = 0;
    } else toInput.current?.focus();
    const inFlight = requests.current;
    return () => {
      for (const request of inFlight.values()) request.abort();
    };
  }, []);

  const change = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));

  const originalBytes = draft.includeOriginalAttachments
    ? (draft.originalAttachments ?? []).reduce((sum, a) => sum + a.size, 0)
    : 0;
  const totalBytes =
    draft.attachments.reduce((sum, a) => sum + a.size, 0) + originalBytes + new Blob([draft.text]).size;
  const uploading = draft.attachments.some((a) => !a.uploadId && !uploads[a.key]?.error);

  const addFiles = (files: FileList | null) => {
    if (!files || files.length === 0) return;
    let total = totalBytes;
    const added: { attachment: DraftAttachment; file: File }[] = [];
    for (const file of Array.from(files)) {
      if (total + file.size > MAX_MESSAGE_BYTES) {
        setProblems((p) => ({
          ...p,
          attachments: `${file.name} (${formatSize(file.size)}) would take this message over 40 MB. Send large files another way.`,
        }));
        continue;
      }
      total += file.size;
      const attachment: DraftAttachment = {
        key: `${Date.now()}-${Math.random().toString(36).slice(2)}`,
        filename: file.name,
        contentType: file.type || 'application/octet-stream',
        size: file.size,
      };
      added.push({ attachment, file });
    }
    if (added.length === 0) return;
    setProblems((p) => (added.length === files.length ? { ...p, attachments: undefined } : p));
    setDraft((d) => ({ ...d, attachments: [...d.attachments, ...added.map((a) => a.attachment)] }));
    for (const { attachment, file } of added) void upload(attachment, file);
  };

  const upload = async (attachment: DraftAttachment, file: File) => {
    const setUpload = (value: Upload) => setUploads((u) => ({ ...u, [attachment.key]: value }));
    setUpload({ loaded: 0 });
    try {
      const ticket = await portalApi.post<UploadTicket>('/api/portal/uploads', {
        filename: attachment.filename,
        contentType: attachment.contentType,
        size: attachment.size,
      });
      await put(ticket.url, file, attachment.contentType, attachment.key, (loaded) => setUpload({ loaded }));
      setDraft((d) => ({
        ...d,
        attachments: d.attachments.map((a) =>
          a.key === attachment.key ? { ...a, uploadId: ticket.uploadId } : a,
        ),
      }));
      setUpload({ loaded: attachment.size });
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') return;
      setUpload({
        loaded: 0,
        error:
          error instanceof UploadFailed ? error.message : `Couldn't upload it: ${asApiError(error).message}`,
      });
    }
  };

  const put = (url: string, file: File, contentType: string, key: string, onProgress: (n: number) => void) =>
    new Promise<void>((resolve, reject) => {
      const request = new XMLHttpRequest();
      requests.current.set(key, request);
      request.open('PUT', url);
      request.setRequestHeader('content-type', contentType);
      request.upload.onprogress = (event) => onProgress(event.loaded);
      request.onload = () => {
        requests.current.delete(key);
        if (request.status >= 200 && request.status < 300) resolve();
        else
          reject(
            new UploadFailed(`The upload was refused (HTTP ${request.status}). Remove it and try again.`),
          );
      };
      request.onerror = () => {
        requests.current.delete(key);
        reject(new UploadFailed("Couldn't upload it. Check your connection, then remove it and try again."));
      };
      request.onabort = () => {
        requests.current.delete(key);
        reject(new DOMException('aborted', 'AbortError'));
      };
      request.send(file);
    });

  const remove = (key: string) => {
    requests.current.get(key)?.abort();
    setDraft((d) => ({ ...d, attachments: d.attachments.filter((a) => a.key !== key) }));
    setUploads(({ [key]: _gone, ...rest }) => rest);
  };

  const leave = () => go(draft.returnTo ?? lastMailPage());

  const discard = () => {
    if (hasContent(draft) && !confirm('Discard this message? It will be lost.')) return;
    for (const request of requests.current.values()) request.abort();
    clearDraft(address);
    leave();
  };

  const send = async (event?: Event) => {
    event?.preventDefault();
    if (sending) return;
    const to = parseRecipients(draft.to);
    const cc = parseRecipients(draft.cc);
    const bcc = parseRecipients(draft.bcc);
    const next: Problems = {};
    const invalid = (list: string[]) =>
      `${list.length === 1 ? "This doesn't" : "These don't"} look like an email address: ${list.join(', ')}. Separate addresses with commas.`;
    if (to.invalid.length) next.to = invalid(to.invalid);
    if (cc.invalid.length) next.cc = invalid(cc.invalid);
    if (bcc.invalid.length) next.bcc = invalid(bcc.invalid);
    const count = to.addresses.length + cc.addresses.length + bcc.addresses.length;
    if (!next.to && count === 0) next.to = 'Add at least one recipient.';
    if (!next.to && count > MAX_RECIPIENTS)
      next.to = `Send to at most ${MAX_RECIPIENTS} people at once (To, Cc and Bcc together); this has ${count}.`;
    if (uploading) next.attachments = 'Wait for the attachments to finish uploading.';
    else if (draft.attachments.some((a) => !a.uploadId))
      next.attachments = "Remove the attachments that didn't upload, then send again.";
    setProblems(next);
    if (Object.keys(next).length > 0) {
      // Put the cursor on the first field that needs attention.
      requestAnimationFrame(() =>
        document.querySelector<HTMLElement>('.compose [aria-invalid="true"]')?.focus(),
      );
      return;
    }

    setSending(true);
    setSendError(undefined);
    try {
      await portalApi.post<{ id: string }>('/api/portal/messages', {
        to: to.addresses,
        cc: cc.addresses.length ? cc.addresses : undefined,
        bcc: bcc.addresses.length ? bcc.addresses : undefined,
        subject: draft.subject.replace(/[\r\n]+/g, ' ').trim(),
        text: draft.text,
        inReplyTo: draft.inReplyTo,
        forwardOf: draft.forwardOf,
        attachments: draft.attachments.length
          ? draft.attachments.map(({ uploadId, filename, contentType }) => ({
              uploadId,
              filename,
              contentType,
            }))
          : undefined,
        includeOriginalAttachments: draft.forwardOf ? Boolean(draft.includeOriginalAttachments) : undefined,
      });
      clearDraft(address);
      store.invalidate('sent');
      forgetContacts(address);
      toast(
        `Message sent to ${count === 1 ? to.addresses[0] || cc.addresses[0] || bcc.addresses[0] : `${count} people`}.`,
      );
      leave();
    } catch (error) {
      setSending(false);
      setSendError((previous) => ({
        message: asApiError(error).message,
        attempt: (previous?.attempt ?? 0) + 1,
      }));
    }
  };

  const title = heading(draft);
  const originals = draft.originalAttachments ?? [];

  return (
    <MailLayout store={store} class="mail-compose">
      <main id="main" class="compose-main" tabIndex={-1}>
        <form
          class="compose stack"
          onSubmit={send}
          aria-labelledby={`${bodyId}-title`}
          onKeyDown={(event) => {
            if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) void send(event);
          }}
        >
          <div class="compose-head">
            <h1 id={`${bodyId}-title`} tabIndex={-1}>
              {title}
            </h1>
            <p class="muted compose-saved">Draft kept on this device until you send or discard it.</p>
          </div>
          {sendError && (
            <Alert key={sendError.attempt} tone="error" title="Your message wasn't sent">
              {sendError.message}
            </Alert>
          )}
          <AddressInput
            label="To"
            name="to"
            value={draft.to}
            onValue={(to) => change({ to })}
            contacts={contacts}
            inputRef={toInput}
            hint="Separate addresses with commas; people from your recent mail are suggested. Up to 50 recipients in all."
            error={problems.to}
          />
          <div class="compose-row">
            <AddressInput
              label="Cc"
              name="cc"
              value={draft.cc}
              onValue={(cc) => change({ cc })}
              contacts={contacts}
              error={problems.cc}
            />
            <AddressInput
              label="Bcc"
              name="bcc"
              value={draft.bcc}
              onValue={(bcc) => change({ bcc })}
              contacts={contacts}
              error={problems.bcc}
            />
          </div>
          <div class="field">
            <label for={`${bodyId}-subject`}>Subject</label>
            <input
              id={`${bodyId}-subject`}
              type="text"
              name="subject"
              value={draft.subject}
              maxLength={998}
              onInput={(event) => change({ subject: event.currentTarget.value })}
            />
          </div>
          <div class="field">
            <label for={`${bodyId}-body`}>Message</label>
            <textarea
              id={`${bodyId}-body`}
              ref={textArea}
              name="text"
              rows={14}
              value={draft.text}
              onInput={(event) => change({ text: event.currentTarget.value })}
            />
          </div>

          <fieldset class="compose-attachments" aria-describedby={`${bodyId}-size`}>
            <legend>Attachments</legend>
            {originals.length > 0 && (
              <div class="original-attachments">
                <label class="check">
                  <input
                    type="checkbox"
                    checked={Boolean(draft.includeOriginalAttachments)}
                    onChange={(event) => change({ includeOriginalAttachments: event.currentTarget.checked })}
                  />
                  Include the original message's{' '}
                  {originals.length === 1 ? 'attachment' : `${originals.length} attachments`}
                </label>
                <ul class="upload-list">
                  {originals.map((a, i) => (
                    <li key={i} class={`upload${draft.includeOriginalAttachments ? '' : ' upload-off'}`}>
                      <PIcon name="clip" />
                      <span class="upload-name">{a.filename}</span>
                      <span class="upload-meta">
                        {formatSize(a.size)} · {draft.includeOriginalAttachments ? 'included' : 'left out'}
                      </span>
                    </li>
                  ))}
                </ul>
              </div>
            )}
            {draft.attachments.length > 0 && (
              <ul class="upload-list" aria-label="Your attachments">
                {draft.attachments.map((a) => {
                  const state = uploads[a.key];
                  return (
                    <li key={a.key} class="upload">
                      <PIcon name="clip" />
                      <span class="upload-name">{a.filename}</span>
                      <span class="upload-meta">
                        {formatSize(a.size)}
                        {a.uploadId ? ' · uploaded' : state?.error ? '' : ' · uploading'}
                      </span>
                      {!a.uploadId && !state?.error && (
                        <progress
                          max={a.size || 1}
                          value={state?.loaded ?? 0}
                          aria-label={`Uploading ${a.filename}`}
                        />
                      )}
                      {state?.error && <span class="upload-error">{state.error}</span>}
                      <button
                        type="button"
                        class="icon-button"
                        aria-label={`Remove ${a.filename}`}
                        onClick={() => remove(a.key)}
                      >
                        <PIcon name="x" />
                      </button>
                    </li>
                  );
                })}
              </ul>
            )}
            <div class="file-picker">
              <input
                id={`${bodyId}-files`}
                type="file"
                multiple
                class="sr-only"
                onChange={(event) => {
                  addFiles(event.currentTarget.files);
                  event.currentTarget.value = '';
                }}
              />
              <label for={`${bodyId}-files`} class="button button-secondary button-small">
                <PIcon name="clip" />
                Attach files
              </label>
              <span id={`${bodyId}-size`} class="muted">
                {formatSize(totalBytes)} of 40 MB
              </span>
            </div>
            {problems.attachments && (
              <p class="field-error" role="alert">
                {problems.attachments}
              </p>
            )}
          </fieldset>

          <div class="compose-actions">
            <Button type="submit" variant="primary" busy={sending}>
              <PIcon name="sent" />
              Send
            </Button>
            <Button onClick={discard} disabled={sending}>
              Discard
            </Button>
            <span class="muted compose-tip">Ctrl+Enter sends.</span>
          </div>
        </form>
      </main>
    </MailLayout>
  );
}

class UploadFailed extends Error {}

function heading(draft: Draft): string {
  if (draft.inReplyTo) return 'Reply';
  if (draft.forwardOf) return 'Forward';
  return 'New message';
}
