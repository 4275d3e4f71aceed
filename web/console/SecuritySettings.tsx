import { useId, useState } from 'preact/hooks';
import { api } from '../shared/api';
import { Alert } from '../shared/forms';
import { useResource } from '../shared/resource';
import { asApiError } from '../shared/session';
import '../shared/mfa.css';
import { LoadingLine } from '../shared/states';
import { toast } from '../shared/toast';
import { domainApi } from './model';

interface RequirementSwitchProps {
  label: string;
  on: boolean;
  busy: boolean;
  /** Domain admins see the setting but only partner admins change it. */
  disabled?: boolean;
  describedBy: string;
  onToggle: () => void;
}

function RequirementSwitch({ label, on, busy, disabled, describedBy, onToggle }: RequirementSwitchProps) {
  return (
    <div class="switch-row">
      <button
        type="button"
        role="switch"
        class="switch"
        aria-checked={on ? 'true' : 'false'}
        aria-describedby={describedBy}
        aria-busy={busy ? 'true' : undefined}
        disabled={busy || disabled}
        onClick={onToggle}
      >
        <span class="switch-track" aria-hidden="true">
          <span class="switch-thumb" />
        </span>
        <span class="switch-label">{label}</span>
        <span class="switch-state" aria-hidden="true">
          {on ? 'On' : 'Off'}
        </span>
      </button>
    </div>
  );
}

/** A yes/no security setting read from and written to one route. */
function useRequirement<K extends string>(path: string, key: K) {
  const resource = useResource<Record<K, boolean>>(path);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const toggle = async (next: boolean, done: string) => {
    setBusy(true);
    setError(undefined);
    try {
      const updated = await api.put<Record<K, boolean>>(path, { [key]: next });
      resource.update(() => updated);
      toast(done);
    } catch (cause) {
      setError(asApiError(cause).message);
    } finally {
      setBusy(false);
    }
  };
  return { ...resource, on: resource.data?.[key] === true, busy, toggleError: error, toggle };
}

/** Partner admins: every admin must use two-step sign-in. */
export function RequireAdminMfa() {
  const id = useId();
  const setting = useRequirement('/api/console/settings/security', 'requireAdminMfa');
  return (
    <section class="panel stack" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Admin sign-in</h2>
      {setting.toggleError && (
        <Alert tone="error" title="Couldn't change the setting">
          {setting.toggleError}
        </Alert>
      )}
      {setting.error && !setting.data && (
        <Alert tone="error" title="Couldn't load the setting">
          {setting.error.message}
        </Alert>
      )}
      {setting.data === undefined && !setting.error ? (
        <LoadingLine label="Loading security settings…" />
      ) : (
        <RequirementSwitch
          label="Require two-step sign-in for every admin"
          on={setting.on}
          busy={setting.busy}
          describedBy={`${id}-explained`}
          onToggle={() =>
            void setting.toggle(
              !setting.on,
              setting.on
                ? 'Admins may now sign in without two-step sign-in.'
                : 'Every admin now needs two-step sign-in. Admins without it set it up at their next sign-in.',
            )
          }
        />
      )}
      <p id={`${id}-explained`} class="check-explanation">
        When on, every partner and domain admin signs in with a code from an authenticator app. Admins who
        have not set it up are asked to at their next sign-in and can do nothing else until they have. Set it
        up for yourself first, above.
      </p>
    </section>
  );
}

/** A domain's portal users must use two-step sign-in (partner admins change it). */
export function RequirePortalMfa({ domain, canChange }: { domain: string; canChange: boolean }) {
  const id = useId();
  const setting = useRequirement(domainApi(domain, '/security'), 'requirePortalMfa');
  return (
    <section class="panel stack security-setting-after" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Portal sign-in</h2>
      {setting.toggleError && (
        <Alert tone="error" title="Couldn't change the setting">
          {setting.toggleError}
        </Alert>
      )}
      {setting.error && !setting.data && (
        <Alert tone="error" title="Couldn't load the setting">
          {setting.error.message}
        </Alert>
      )}
      {setting.data === undefined && !setting.error ? (
        <LoadingLine label="Loading security settings…" />
      ) : (
        <RequirementSwitch
          label="Require two-step sign-in for portal users"
          on={setting.on}
          busy={setting.busy}
          disabled={!canChange}
          describedBy={`${id}-explained`}
          onToggle={() =>
            void setting.toggle(
              !setting.on,
              setting.on
                ? `Portal users of ${domain} may now sign in without two-step sign-in.`
                : `Portal users of ${domain} now need two-step sign-in. Users without it set it up at their next sign-in.`,
            )
          }
        />
      )}
      <p id={`${id}-explained`} class="check-explanation">
        When on, the domain's users sign in to the portal with their password and a code from an authenticator
        app. Users who have not set it up are asked to at their next sign-in, after choosing their own
        password if theirs is temporary.
        {!canChange && ' Only partner admins can change this.'}
      </p>
    </section>
  );
}
