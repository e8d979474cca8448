import { Form } from "@remix-run/react";
import { useT } from "~/i18n/i18n";

/** Logging out is a POST (a link or an image tag cannot log anyone out). */
export function LogoutButton() {
  const t = useT();
  return (
    <Form method="post" action="/logout" className="inline-form">
      <button type="submit" className="link-button">
        {t("layout.logOut")}
      </button>
    </Form>
  );
}
