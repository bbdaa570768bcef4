/** Form fields with their label, hint and error tied together (aria-describedby, aria-invalid). */
import { useId, type ComponentProps, type ReactNode } from "react";

interface Common {
  label: ReactNode;
  hint?: ReactNode;
  error?: string | null;
  required?: boolean;
  /** Shown after the label: "(valfritt)" or "(obligatoriskt)". */
  marker?: string;
}

function describedBy(hintId: string, errorId: string, hint?: ReactNode, error?: string | null): string | undefined {
  const ids = [hint ? hintId : "", error ? errorId : ""].filter(Boolean).join(" ");
  return ids || undefined;
}

function Parts({ id, label, hint, error, marker }: Common & { id: string }) {
  return (
    <>
      <label htmlFor={id}>
        {label}
        {marker ? <span className="field-marker"> {marker}</span> : null}
      </label>
      {hint ? (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="field-error" id={`${id}-error`}>
          <span aria-hidden="true">⚠ </span>
          {error}
        </p>
      ) : null}
    </>
  );
}

export function TextField({ label, hint, error, marker, id: givenId, ...input }: Common & ComponentProps<"input">) {
  const generated = useId();
  const id = givenId ?? generated;
  return (
    <div className={`field${error ? " field--invalid" : ""}`}>
      <Parts id={id} label={label} hint={hint} error={error} marker={marker} />
      <input
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(`${id}-hint`, `${id}-error`, hint, error)}
        {...input}
      />
    </div>
  );
}

export function TextArea({ label, hint, error, marker, id: givenId, ...input }: Common & ComponentProps<"textarea">) {
  const generated = useId();
  const id = givenId ?? generated;
  return (
    <div className={`field${error ? " field--invalid" : ""}`}>
      <Parts id={id} label={label} hint={hint} error={error} marker={marker} />
      <textarea
        id={id}
        rows={6}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(`${id}-hint`, `${id}-error`, hint, error)}
        {...input}
      />
    </div>
  );
}

export function SelectField({
  label,
  hint,
  error,
  marker,
  id: givenId,
  children,
  ...select
}: Common & ComponentProps<"select">) {
  const generated = useId();
  const id = givenId ?? generated;
  return (
    <div className={`field${error ? " field--invalid" : ""}`}>
      <Parts id={id} label={label} hint={hint} error={error} marker={marker} />
      <select
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(`${id}-hint`, `${id}-error`, hint, error)}
        {...select}
      >
        {children}
      </select>
    </div>
  );
}

export function Checkbox({ label, hint, id: givenId, ...input }: { label: ReactNode; hint?: ReactNode } & ComponentProps<"input">) {
  const generated = useId();
  const id = givenId ?? generated;
  return (
    <div className="checkbox">
      <input type="checkbox" id={id} aria-describedby={hint ? `${id}-hint` : undefined} {...input} />
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}

/** Focuses the first field named in `errors` (the field's id is `${prefix}-${name}`); true when there was one. */
export function focusFirstError(errors: Record<string, string>, prefix: string): boolean {
  const first = Object.keys(errors)[0];
  if (first) document.getElementById(`${prefix}-${first}`)?.focus();
  return first !== undefined;
}

/** The `<option>`s of things with an id and a name: organisations, departments, categories, people. */
export function Options({ items }: { items: readonly { id: string; name: string }[] }) {
  return (
    <>
      {items.map((item) => (
        <option key={item.id} value={item.id}>
          {item.name}
        </option>
      ))}
    </>
  );
}
