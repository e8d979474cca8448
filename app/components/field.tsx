import type { InputHTMLAttributes } from "react";
import { PASSWORD_MIN_LENGTH } from "~/auth/validation";
import { useT } from "~/i18n/i18n";

type FieldProps = InputHTMLAttributes<HTMLInputElement> & {
  label: string;
  name: string;
  error?: string;
  hint?: string;
};

/** A labelled input with its hint and error wired up for screen readers. */
export function Field({ label, name, error, hint, id = name, ...input }: FieldProps) {
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(" ") || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} name={name} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...input} />
      {hint ? (
        <p id={hintId} className="hint">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={errorId} className="field-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** A form-level error, announced when it appears. */
export function FormError({ message }: { message?: string | null }) {
  if (!message) return null;
  return (
    <div className="flash flash-error" role="alert">
      {message}
    </div>
  );
}

type PasswordFieldProps = Omit<FieldProps, "type" | "autoComplete" | "label" | "name"> & { label?: string; name?: string };

/** A password the user already has (login, reauthentication, confirming a change). */
export function CurrentPasswordField({ label, name = "password", ...props }: PasswordFieldProps) {
  const t = useT();
  return <Field label={label ?? t("form.password")} name={name} type="password" autoComplete="current-password" required {...props} />;
}

/** A password being chosen (register, reset, change): the length rule as an attribute and a hint. */
export function NewPasswordField({ label, name = "password", hint, ...props }: PasswordFieldProps) {
  const t = useT();
  return (
    <Field
      label={label ?? t("form.password")}
      name={name}
      type="password"
      autoComplete="new-password"
      required
      minLength={PASSWORD_MIN_LENGTH}
      hint={hint ?? t("form.newPasswordHint", { min: PASSWORD_MIN_LENGTH })}
      {...props}
    />
  );
}
