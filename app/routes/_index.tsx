import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { getUser } from "~/auth/guards.server";

export const meta: MetaFunction = () => [
  { title: "Remix Auth Kit" },
  { name: "description", content: "Sign-in, sessions and user management for Remix: secure by default, one file to deploy." },
];

export async function loader({ context }: LoaderFunctionArgs) {
  const user = getUser({ context });
  return { name: user?.name ?? null };
}

/** What someone who signs in here gets; the README speaks to the developers. */
const FEATURES = [
  { title: "Sign in your way", text: "A password, a passkey, or your company's account. Remember me keeps you signed in on your own devices." },
  { title: "Two-factor, done right", text: "Codes from any authenticator app, recovery codes for a lost phone, and a lock after too many wrong tries." },
  { title: "See every device", text: "Which browsers are signed in, from where and how; sign any of them out in one click." },
  { title: "Know what happened", text: "Every sign-in, password change and new token in your activity log, and an email when something important changes." },
];

export default function Index() {
  const { name } = useLoaderData<typeof loader>();
  return (
    <>
      <section className="hero" aria-labelledby="home-title">
        <h1 id="home-title">Your account, safely in your hands</h1>
        <p className="lead">
          Remix Auth Kit signs you in, keeps your sessions under your control and protects your account, with or
          without JavaScript, on a phone or a desktop.
        </p>
        <p className="actions">
          {name ? (
            <Link className="button primary" to="/dashboard">
              Go to your dashboard
            </Link>
          ) : (
            <>
              <Link className="button primary" to="/login">
                Log in
              </Link>
              <Link className="button" to="/register">
                Create an account
              </Link>
            </>
          )}
        </p>
      </section>
      <ul className="feature-grid" aria-label="What you get">
        {FEATURES.map((feature) => (
          <li key={feature.title} className="feature">
            <h2>{feature.title}</h2>
            <p>{feature.text}</p>
          </li>
        ))}
      </ul>
    </>
  );
}
