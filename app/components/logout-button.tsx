import { Form } from "@remix-run/react";

/** Logging out is a POST (a link or an image tag cannot log anyone out). */
export function LogoutButton() {
  return (
    <Form method="post" action="/logout" className="inline-form">
      <button type="submit" className="link-button">
        Log out
      </button>
    </Form>
  );
}
