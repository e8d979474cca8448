import { Form } from "@remix-run/react";

/** "Sign in with <label>" for each configured provider; nothing when none is. Each is a full-page POST to /auth/<id>. */
export function ProviderButtons({ providers, redirectTo }: { providers: { id: string; label: string }[]; redirectTo: string }) {
  if (providers.length === 0) return null;
  return (
    <div className="provider-buttons" role="group" aria-label="Other ways to sign in">
      <p className="aside">Or sign in with</p>
      {providers.map((provider) => (
        // reloadDocument: the answer is a redirect to the provider's own site.
        <Form key={provider.id} method="post" action={`/auth/${provider.id}`} reloadDocument>
          <input type="hidden" name="redirectTo" value={redirectTo} />
          <button type="submit" className="button">
            {`Sign in with ${provider.label}`}
          </button>
        </Form>
      ))}
    </div>
  );
}
