import type { ButtonHTMLAttributes, ReactNode } from "react";

type SubmitButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & {
  /** True while this form is being submitted (from useNavigation or a fetcher). */
  busy: boolean;
  /** What the button says meanwhile ("Creating account…"). */
  busyLabel: string;
  children: ReactNode;
};

/**
 * A submit button that shows the wait: password hashing takes up to a second,
 * so a submit that seems to do nothing gets clicked again. While `busy` it is
 * disabled, says `busyLabel` and spins (CSS, no script). Without JavaScript the
 * browser shows its own loading state and `busy` stays false.
 */
export function SubmitButton({ busy, busyLabel, children, className = "button primary", ...button }: SubmitButtonProps) {
  return (
    <button type="submit" className={className} disabled={busy} aria-busy={busy || undefined} {...button}>
      {busy ? busyLabel : children}
    </button>
  );
}
