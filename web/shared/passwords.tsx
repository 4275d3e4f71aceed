import { useState } from 'preact/hooks';
import { Field } from './forms';

/** The shortest password XtraMail accepts, for admins and portal users alike. */
export const MIN_PASSWORD_LENGTH = 12;

export interface PasswordProblems {
  password?: string;
  confirm?: string;
}

export function checkNewPassword(password: string, confirm: string): PasswordProblems {
  const problems: PasswordProblems = {};
  if (password.length < MIN_PASSWORD_LENGTH)
    problems.password = `Use at least ${MIN_PASSWORD_LENGTH} characters (this has ${password.length}).`;
  else if (confirm !== password)
    problems.confirm = "The two passwords don't match. Type the same password twice.";
  return problems;
}

interface NewPasswordFieldsProps {
  password: string;
  confirm: string;
  onPassword: (value: string) => void;
  onConfirm: (value: string) => void;
  /** Problems to show; only after the first submit, so people aren't scolded while typing. */
  problems: PasswordProblems;
  labels?: { password: string; confirm: string };
  autoFocus?: boolean;
}

/** A new password, typed twice, with a "Show passwords" switch. */
export function NewPasswordFields(props: NewPasswordFieldsProps) {
  const [show, setShow] = useState(false);
  const labels = props.labels ?? { password: 'Password', confirm: 'Confirm password' };
  const type = show ? 'text' : 'password';
  return (
    <div class="stack">
      <Field
        label={labels.password}
        type={type}
        name="new-password"
        value={props.password}
        onValue={props.onPassword}
        autoComplete="new-password"
        minLength={MIN_PASSWORD_LENGTH}
        required
        autoFocus={props.autoFocus}
        hint={`At least ${MIN_PASSWORD_LENGTH} characters. A few unrelated words make a strong one.`}
        error={props.problems.password}
      />
      <Field
        label={labels.confirm}
        type={type}
        name="confirm-password"
        value={props.confirm}
        onValue={props.onConfirm}
        autoComplete="new-password"
        required
        error={props.problems.confirm}
      />
      <label class="check">
        <input type="checkbox" checked={show} onChange={(event) => setShow(event.currentTarget.checked)} />
        Show passwords
      </label>
    </div>
  );
}
