import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { getUser } from "~/auth/guards.server";

export const meta: MetaFunction = () => [
  { title: "Remix Auth Kit" },
  { name: "description", content: "Authentication and user management for Remix + SQLite." },
];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = getUser({ context });
  return { signedIn: Boolean(user) };
}

export default function Index() {
  const { signedIn } = useLoaderData<typeof loader>();
  return (
    <section className="hero">
      <h1>Remix Auth Kit</h1>
      <p className="lead">
        Sign-in, sessions and user management for Remix and SQLite: secure by default, one file to deploy.
      </p>
      <p className="actions">
        {signedIn ? (
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
  );
}
