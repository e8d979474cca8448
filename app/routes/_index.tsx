import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { getUser } from "~/auth/guards.server";
import { translatorOf, useT } from "~/i18n/i18n";

export const meta: MetaFunction = ({ matches }) => {
  const t = translatorOf(matches);
  return [{ title: t("app.name") }, { name: "description", content: t("home.description") }];
};

export async function loader({ context }: LoaderFunctionArgs) {
  const user = getUser({ context });
  return { name: user?.name ?? null };
}

/** What someone who signs in here gets; the README speaks to the developers. */
const FEATURES = [
  { title: "home.feature1Title", text: "home.feature1Text" },
  { title: "home.feature2Title", text: "home.feature2Text" },
  { title: "home.feature3Title", text: "home.feature3Text" },
  { title: "home.feature4Title", text: "home.feature4Text" },
] as const;

export default function Index() {
  const { name } = useLoaderData<typeof loader>();
  const t = useT();
  return (
    <>
      <section className="hero" aria-labelledby="home-title">
        <h1 id="home-title">{t("home.title")}</h1>
        <p className="lead">{t("home.lead")}</p>
        <p className="actions">
          {name ? (
            <Link className="button primary" to="/dashboard">
              {t("home.goToDashboard")}
            </Link>
          ) : (
            <>
              <Link className="button primary" to="/login">
                {t("home.logIn")}
              </Link>
              <Link className="button" to="/register">
                {t("home.createAccount")}
              </Link>
            </>
          )}
        </p>
      </section>
      <ul className="feature-grid" aria-label={t("home.features")}>
        {FEATURES.map((feature) => (
          <li key={feature.title} className="feature">
            <h2>{t(feature.title)}</h2>
            <p>{t(feature.text)}</p>
          </li>
        ))}
      </ul>
    </>
  );
}
