import { z } from "zod";

/**
 * The form rules, shared by the server (authoritative) and the browser
 * (early feedback). Field names are those of SPEC.md.
 */

const encoder = new TextEncoder();
export const PASSWORD_MIN_LENGTH = 8;
/** bcrypt reads at most 72 bytes; a longer password is refused, never silently truncated. */
export const PASSWORD_MAX_BYTES = 72;

export const emailField = z
  .string({ message: "Email is required." })
  .trim()
  .min(1, "Email is required.")
  .max(254, "Email is too long.")
  .pipe(z.email({ message: "Enter a valid email address." }))
  .transform((email) => email.toLowerCase());

export const passwordField = z
  .string({ message: "Password is required." })
  .min(1, "Password is required.")
  .min(PASSWORD_MIN_LENGTH, `Password must be at least ${PASSWORD_MIN_LENGTH} characters.`)
  .refine((p) => encoder.encode(p).length <= PASSWORD_MAX_BYTES, {
    message: `Password must be at most ${PASSWORD_MAX_BYTES} bytes (about ${PASSWORD_MAX_BYTES} letters, fewer with accents or emoji).`,
  });

export const nameField = z
  .string({ message: "Name is required." })
  .trim()
  .min(1, "Name is required.")
  .max(100, "Name must be at most 100 characters.")
  // eslint-disable-next-line no-control-regex
  .refine((n) => !/[\u0000-\u001f\u007f]/.test(n), { message: "Name cannot contain control characters." });

export const LoginSchema = z.object({
  email: z.string({ message: "Email is required." }).trim().min(1, "Email is required.").max(254, "Email is too long.")
    .transform((e) => e.toLowerCase()),
  // Login checks only presence and size: the stored hash decides the rest.
  password: z.string({ message: "Password is required." }).min(1, "Password is required.")
    .max(1024, "Password is too long."),
  remember: z.string().optional().transform((v) => v === "on"),
  redirectTo: z.string().optional(),
});

export const RegisterSchema = z.object({
  name: nameField,
  email: emailField,
  password: passwordField,
});

export const noteTitleField = z
  .string({ message: "Title is required." })
  .trim()
  .min(1, "Title is required.")
  .max(200, "Title must be at most 200 characters.")
  // PostgreSQL text cannot hold NUL: refused on both databases alike.
  .refine((t) => !t.includes("\u0000"), { message: "Title cannot contain NUL characters." });
export const noteBodyField = z
  .string({ message: "Text must be a string." })
  .trim()
  .max(10_000, "Note must be at most 10,000 characters.")
  .refine((b) => !b.includes("\u0000"), { message: "Note cannot contain NUL characters." });

export const NoteSchema = z.object({ title: noteTitleField, body: noteBodyField.default("") });

export type FieldErrors = Record<string, string>;

/**
 * The request's form. A body that cannot be read as a form (a broken multipart
 * body, say) is the client's mistake: a 400, never a 500.
 */
export async function readFormData(request: Request): Promise<FormData> {
  try {
    return await request.formData();
  } catch {
    throw new Response("The form could not be read. Please submit it again.", { status: 400 });
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
    errors[field] ??= issue.message;
  }
  return { success: false, errors };
}

export const ReauthenticateSchema = z.object({
  password: z.string({ message: "Password is required." }).min(1, "Password is required.").max(1024, "Password is too long."),
  redirectTo: z.string().optional(),
});

/** A password the user types to prove it is them (checked against the stored hash, so only presence and size here). */
const currentPasswordField = z
  .string({ message: "Enter your current password." })
  .min(1, "Enter your current password.")
  .max(1024, "Password is too long.");

export const ForgotPasswordSchema = z.object({ email: emailField });

export const ResetPasswordSchema = z.object({ password: passwordField });

export const VerifyEmailSchema = z.object({
  token: z.string({ message: "The link is incomplete." }).max(200, "The link is not valid."),
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
  confirm: z.literal("on", { message: "Tick the box to confirm." }),
});

/** A second factor: a 6-digit TOTP code or a recovery code (the server tells which). */
export const TwoFactorCodeSchema = z.object({
  code: z.string({ message: "Enter the code." }).trim().min(1, "Enter the code.").max(32, "That code is too long."),
});

// The admin user form (SPEC: name, email, password on create, role, active).
// Role and active exist only here: registration and profile schemas do not
// read them, so a crafted field there is ignored.
const roleField = z.string({ message: "Choose a role." }).trim().min(1, "Choose a role.").max(64, "Choose a role.");
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
});
