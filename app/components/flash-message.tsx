type Flash = { category: string; message: string };

/** A flash message: `role="alert"` for errors (announced at once), `role="status"` otherwise. */
export function FlashMessage({ flash }: { flash: Flash | null }) {
  if (!flash) return null;
  const isError = flash.category === "error" || flash.category === "danger";
  return (
    <div className={`flash flash-${flash.category.replace(/[^a-z]/gi, "")}`} role={isError ? "alert" : "status"}>
      {flash.message}
    </div>
  );
}
