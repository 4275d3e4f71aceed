import type { ComponentChildren } from 'preact';
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

interface RequirementPanelProps {
  title: string;
  class?: string;
  path: string;
  setting: 'requireAdminMfa' | 'requirePortalMfa';
  label: string;
  /** Domain admins see the setting but only partner admins change it. */
  canChange?: boolean;
  /** What the toast says after turning it on, and after turning it off. */
  turnedOn: string;
  turnedOff: string;
  children: ComponentChildren;
}

/** One security requirement: its switch, its errors and what it means. */
function RequirementPanel(props: RequirementPanelProps) {
  const id = useId();
  const setting = useRequirement(props.path, props.setting);
  return (
    <section class={`panel stack ${props.class ?? ''}`} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{props.title}</h2>
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
          label={props.label}
          on={setting.on}
          busy={setting.busy}
          disabled={props.canChange === false}
          describedBy={`${id}-explained`}
          onToggle={() => void setting.toggle(!setting.on, setting.on ? props.turnedOff : props.turnedOn)}
        />
      )}
      <p id={`${id}-explained`} class="check-explanation">
        {props.children}
      </p>
    </section>
  );
}

/** Partner admins: every admin must use two-step sign-in. */
export function RequireAdminMfa() {
  return (
    <RequirementPanel
      title="Admin sign-in"
      path="/api/console/settings/security"
      setting="requireAdminMfa"
      label="Require two-step sign-in for every admin"
      turnedOn="Every admin now needs two-step sign-in. Admins without it set it up at their next sign-in."
      turnedOff="Admins may now sign in without two-step sign-in."
    >
      When on, every partner and domain admin signs in with a code from an authenticator app. Admins who have
      not set it up are asked to at their next sign-in and can do nothing else until they have. Set it up for
      yourself first, above.
    </RequirementPanel>
  );
}

/** A domain's portal users must use two-step sign-in (partner admins change it). */
export function RequirePortalMfa({ domain, canChange }: { domain: string; canChange: boolean }) {
  return (
    <RequirementPanel
      title="Portal sign-in"
      class="security-setting-after"
      path={domainApi(domain, '/security')}
      setting="requirePortalMfa"
      label="Require two-step sign-in for portal users"
      canChange={canChange}
      turnedOn={`Portal users of ${domain} now need two-step sign-in. Users without it set it up at their next sign-in.`}
      turnedOff={`Portal users of ${domain} may now sign in without two-step sign-in.`}
    >
      When on, the domain's users sign in to the portal with their password and a code from an authenticator
      app. Users who have not set it up are asked to at their next sign-in, after choosing their own password
      if theirs is temporary.
      {!canChange && ' Only partner admins can change this.'}
    </RequirementPanel>
  );
}
