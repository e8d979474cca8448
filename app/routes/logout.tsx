import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form } from "@remix-run/react";
import { getUser } from "~/auth/guards.server";
import { logoutUser } from "~/auth/login.server";
import { i18nOf } from "~/i18n/i18n.server";
import { titleMeta, useT } from "~/i18n/i18n";

export const meta: MetaFunction = ({ matches }) => [titleMeta(matches, "layout.logOut")];

// GET changes nothing: it only offers the button (a link or prefetch must never log anyone out).
export async function loader({ request, context }: LoaderFunctionArgs) {
  if (!getUser({ context })) throw redirect("/");
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  return logoutUser(request, context, i18nOf({ request, context }).t);
}

export default function LogoutPage() {
  const t = useT();
  return (
    <section className="card narrow">
      <h1>{t("layout.logOut")}</h1>
      <p>{t("logout.question")}</p>
      <Form method="post">
        <button type="submit" className="button primary">
          {t("layout.logOut")}
        </button>
      </Form>
    </section>
  );
}
