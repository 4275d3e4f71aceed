import { useState } from 'preact/hooks';
import { api } from '../shared/api';
import { Badge, type BadgeTone } from '../shared/Badge';
import { DataTable, type Column } from '../shared/DataTable';
import { Dialog, DialogActions } from '../shared/Dialog';
import { Alert, Button } from '../shared/forms';
import { asApiError } from '../shared/session';
import { domainApi, plural } from './model';
import './readiness.css';

type RowStatus = 'updated' | 'unchanged' | 'unknown-user' | 'invalid' | 'not-eligible';

interface ImportRow {
  line: number;
  address: string;
  status: RowStatus;
  message?: string;
}

interface ImportResult {
  rows: ImportRow[];
  counts: Record<RowStatus, number>;
  /** Large imports: the notices go out from the queue within minutes. */
  noticesQueued?: number;
}

/** The server's limits, repeated so a file that is too big is refused before it is sent. */
const MAX_BYTES = 100_000;
const MAX_ROWS = 500;

const STATUS: Record<RowStatus, { label: string; tone: BadgeTone }> = {
  updated: { label: 'Updated', tone: 'success' },
  unchanged: { label: 'Unchanged', tone: 'neutral' },
  'unknown-user': { label: 'Unknown user', tone: 'warning' },
  invalid: { label: 'Invalid', tone: 'danger' },
  'not-eligible': { label: 'Not eligible', tone: 'warning' },
};

const columns: Column<ImportRow>[] = [
  { key: 'line', header: 'Line', class: 'col-num', cell: (r) => r.line },
  { key: 'address', header: 'Address', rowHeader: true, cell: (r) => r.address || '(empty)' },
  {
    key: 'status',
    header: 'Result',
    cell: (r) => <Badge tone={STATUS[r.status].tone}>{STATUS[r.status].label}</Badge>,
  },
  { key: 'message', header: 'Why', cell: (r) => r.message ?? '' },
];

/**
 * "Import backup addresses": a CSV file (or pasted text) of `address,backupAddress` lines, sent
 * once; the answer is a result for every line, so the admin can fix and re-import only the rest.
 */
export function BackupImportDialog({
  domain,
  onClose,
  onDone,
}: {
  domain: string;
  onClose: () => void;
  onDone: () => void;
}) {
  const [csv, setCsv] = useState('');
  const [fileName, setFileName] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ImportResult | undefined>();

  const readFile = async (file: File | undefined) => {
    setError(undefined);
    if (!file) return;
    if (file.size > MAX_BYTES) {
      setError(
        `${file.name} is larger than ${MAX_BYTES / 1000} KB. Split it into files of up to ${MAX_ROWS} rows.`,
      );
      return;
    }
    setFileName(file.name);
    setCsv(await file.text());
  };

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    if (!csv.trim()) {
      setError('Choose a CSV file, or paste lines such as ann,ann.smith@gmail.com.');
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      setResult(await api.post<ImportResult>(domainApi(domain, '/backup-addresses'), { csv }));
      onDone();
    } catch (cause) {
      setError(asApiError(cause).message);
    } finally {
      setBusy(false);
    }
  };

  if (result) {
    const { counts } = result;
    const problems = result.rows.filter((r) => r.status !== 'updated' && r.status !== 'unchanged');
    return (
      <Dialog title="Import backup addresses" size="large" onClose={onClose} step="result">
        <div class="stack">
          <Alert tone={problems.length ? 'warning' : 'success'} title="Import finished">
            {plural(counts.updated, 'user')} updated, {formatSkipped(counts)}.{' '}
            {result.noticesQueued
              ? "Each updated user's old and new backup address are being told; that takes a few minutes."
              : "Each updated user's old and new backup address were told."}
          </Alert>
          <DataTable
            caption="Result per line"
            columns={columns}
            rows={result.rows}
            rowKey={(r) => String(r.line)}
          />
          <DialogActions>
            <Button variant="primary" onClick={onClose} autoFocus>
              Done
            </Button>
          </DialogActions>
        </div>
      </Dialog>
    );
  }

  return (
    <Dialog title="Import backup addresses" size="medium" onClose={onClose}>
      <form class="stack backup-import" onSubmit={submit} noValidate>
        {error && <Alert tone="error">{error}</Alert>}
        <p>
          A CSV file with the columns <code>address,backupAddress</code>, one user a line (at most {MAX_ROWS}
          ). The address may be the part before @{domain}. Backup addresses must be outside {domain} and your
          other domains.
        </p>
        <div class="field">
          <label for="backup-csv-file">CSV file</label>
          <input
            id="backup-csv-file"
            type="file"
            accept=".csv,text/csv,text/plain"
            onChange={(event) => void readFile(event.currentTarget.files?.[0])}
          />
        </div>
        <div class="field">
          <label for="backup-csv-text">Or paste the lines</label>
          <textarea
            id="backup-csv-text"
            name="csv"
            rows={6}
            value={csv}
            spellcheck={false}
            placeholder={`address,backupAddress\nann,ann.smith@gmail.com`}
            onInput={(event) => {
              setCsv(event.currentTarget.value);
              setFileName(undefined);
            }}
          />
          {fileName && <p class="field-hint">From {fileName}.</p>}
        </div>
        <DialogActions>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={busy}>
            Import
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}

function formatSkipped(counts: Record<RowStatus, number>): string {
  const parts = [
    counts.unchanged && `${counts.unchanged} unchanged`,
    counts['unknown-user'] && `${counts['unknown-user']} unknown`,
    counts.invalid && `${counts.invalid} invalid`,
    counts['not-eligible'] && `${counts['not-eligible']} not eligible`,
  ].filter(Boolean);
  return parts.length ? parts.join(', ') : 'nothing skipped';
}
