import { z } from "zod";
import type { Translate } from "~/i18n/translate";

/**
 * The form rules, shared by the server (authoritative) and the browser
 * (early feedback). Field names are those of SPEC.md. Their messages are
 * catalog keys (app/i18n/en.ts), turned into the request's language by parseForm.
 */

const encoder = new TextEncoder();
export const PASSWORD_MIN_LENGTH = 8;
/** bcrypt reads at most 72 bytes; a longer password is refused, never silently truncated. */
export const PASSWORD_MAX_BYTES = 72;

export const emailField = z
  .string({ message: "v.emailRequired" })
  .trim()
  .min(1, "v.emailRequired")
  .max(254, "v.emailTooLong")
  .pipe(z.email({ message: "v.emailInvalid" }))
  .transform((email) => email.toLowerCase());

export const passwordField = z
  .string({ message: "v.passwordRequired" })
  .min(1, "v.passwordRequired")
  .min(PASSWORD_MIN_LENGTH, "v.passwordTooShort")
  .refine((p) => encoder.encode(p).length <= PASSWORD_MAX_BYTES, {
    message: "v.passwordTooManyBytes",
  });

/** The characters no name, email or provider claim may hold (PostgreSQL's text refuses NUL). */
// eslint-disable-next-line no-control-regex
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;
/** The same, for removing every one of them (`replace`). */
export const CONTROL_CHARACTERS_ALL = new RegExp(CONTROL_CHARACTERS.source, "g");

/** A person's name is at most this many characters. */
export const NAME_MAX_LENGTH = 100;

export const nameField = z
  .string({ message: "v.nameRequired" })
  .trim()
  .min(1, "v.nameRequired")
  .max(NAME_MAX_LENGTH, "v.nameTooLong")
  .refine((n) => !CONTROL_CHARACTERS.test(n), { message: "v.nameControl" });

export const LoginSchema = z.object({
  email: z.string({ message: "v.emailRequired" }).trim().min(1, "v.emailRequired").max(254, "v.emailTooLong")
    .transform((e) => e.toLowerCase()),
  // Login checks only presence and size: the stored hash decides the rest.
  password: z.string({ message: "v.passwordRequired" }).min(1, "v.passwordRequired")
    .max(1024, "v.passwordTooLong"),
  remember: z.string().optional().transform((v) => v === "on"),
  redirectTo: z.string().optional(),
});

export const RegisterSchema = z.object({
  name: nameField,
  email: emailField,
  password: passwordField,
});

export const noteTitleField = z
  .string({ message: "v.titleRequired" })
  .trim()
  .min(1, "v.titleRequired")
  .max(200, "v.titleTooLong")
  // PostgreSQL text cannot hold NUL: refused on both databases alike.
  .refine((t) => !t.includes("\u0000"), { message: "v.titleNul" });
export const noteBodyField = z
  .string({ message: "v.bodyNotText" })
  .trim()
  .max(10_000, "v.bodyTooLong")
  .refine((b) => !b.includes("\u0000"), { message: "v.bodyNul" });

export const NoteSchema = z.object({ title: noteTitleField, body: noteBodyField.default("") });

export type FieldErrors = Record<string, string>;

/** The values the validation messages' placeholders take. */
const MESSAGE_PARAMS = { min: PASSWORD_MIN_LENGTH, maxBytes: PASSWORD_MAX_BYTES };

/** A schema's message (a catalog key) as text in `t`'s language, its limits filled in. */
export function fieldMessage(message: string, t: Translate): string {
  return t(message as Parameters<Translate>[0], MESSAGE_PARAMS);
}

/**
 * The request's form. A body that cannot be read as a form (a broken multipart
 * body, say) is the client's mistake: a 400, never a 500.
 */
export async function readFormData(request: Request): Promise<FormData> {
  try {
    return await request.formData();
  } catch {
    // A catalog key: the error page says it in the visitor's language.
    throw new Response("error.formUnreadable", { status: 400 });
  }
}

/**
 * Validates a submitted form with a schema. Only the schema's own fields are
 * read (extra fields are ignored: no mass assignment); a repeated field counts
 * once (the first) unless the schema declares it an array (repeated
 * checkboxes), and a file where text is expected is an error, not a crash.
 */
export function parseForm<S extends z.ZodObject>(
  form: FormData,
  schema: S,
  t: Translate,
): { success: true; data: z.output<S> } | { success: false; errors: FieldErrors } {
  const input: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(schema.shape)) {
    if (field instanceof z.ZodArray) {
      input[key] = form.getAll(key);
      continue;
    }
    const value = form.get(key);
    if (value !== null) input[key] = value;
  }
  const result = schema.safeParse(input);
  if (result.success) return { success: true, data: result.data };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const field = String(issue.path[0] ?? "form");
    errors[field] ??= fieldMessage(issue.message, t);
  }
  return { success: false, errors };
}

export const ReauthenticateSchema = z.object({
  password: z.string({ message: "v.passwordRequired" }).min(1, "v.passwordRequired").max(1024, "v.passwordTooLong"),
  redirectTo: z.string().optional(),
});

/** A password the user types to prove it is them (checked against the stored hash, so only presence and size here). */
const currentPasswordField = z
  .string({ message: "v.currentPasswordRequired" })
  .min(1, "v.currentPasswordRequired")
  .max(1024, "v.passwordTooLong");

export const ForgotPasswordSchema = z.object({ email: emailField });

export const ResetPasswordSchema = z.object({ password: passwordField });

export const VerifyEmailSchema = z.object({
  token: z.string({ message: "v.linkIncomplete" }).max(200, "v.linkInvalid"),
});

export const ProfileSchema = z.object({ name: nameField });

export const ChangeEmailSchema = z.object({ email: emailField });

export const ChangePasswordSchema = z.object({
  currentPassword: currentPasswordField,
  newPassword: passwordField,
});

export const DeleteAccountSchema = z.object({
  password: currentPasswordField,
});

/** A first password, for an account that signs in only through a provider. */
export const SetPasswordSchema = z.object({ newPassword: passwordField });

/** Deleting an account without a password: a fresh provider sign-in, then this box. */
export const DeleteWithoutPasswordSchema = z.object({
  confirm: z.literal("on", { message: "v.tickToConfirm" }),
});

/** A second factor: a 6-digit TOTP code or a recovery code (the server tells which). */
export const TwoFactorCodeSchema = z.object({
  code: z.string({ message: "v.codeRequired" }).trim().min(1, "v.codeRequired").max(32, "v.codeTooLong"),
});

// The admin user form (SPEC: name, email, password on create, role, active).
// Role and active exist only here: registration and profile schemas do not
// read them, so a crafted field there is ignored.
const roleField = z.string({ message: "v.roleRequired" }).trim().min(1, "v.roleRequired").max(64, "v.roleRequired");
const activeField = z
  .string()
  .optional()
  .transform((value) => value === "on");

export const AdminUserCreateSchema = z.object({
  name: nameField,
  email: emailField,
  password: passwordField,
  role: roleField,
  active: activeField,
});

export const AdminUserUpdateSchema = z.object({
  name: nameField,
  email: emailField,
  role: roleField,
  active: activeField,
  // The user's updated_at when the form was shown (the page sends it; a form without it overwrites whatever is stored).
  updatedAt: z
    .string()
    .regex(/^\d{1,15}$/, "form.correctFields")
    .transform(Number)
    .optional(),
});
