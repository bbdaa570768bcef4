import { useCallback, useEffect, useRef, useState } from "react";
import { api, ApiError } from "./api";
import { useAuth } from "./auth";
import type { Directory } from "./types";

/** Sets the document's title and, on navigation, moves focus to the page's <h1> (screen readers hear it). */
export function usePageTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} – Lotsen`;
  }, [title]);
}

export interface Loaded<T> {
  data: T | null;
  error: ApiError | null;
  loading: boolean;
  reload: () => Promise<void>;
}

/**
 * Loads with `load`, again whenever `deps` change, and every `everyMs` while the tab is visible
 * (updates appear without a reload). A failed refresh keeps the last data and reports the error.
 */
export function usePolling<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[], everyMs?: number): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  const loadRef = useRef(load);
  loadRef.current = load;
  const controller = useRef<AbortController | null>(null);

  const run = useCallback(async () => {
    controller.current?.abort();
    const current = new AbortController();
    controller.current = current;
    try {
      const result = await loadRef.current(current.signal);
      if (!current.signal.aborted) {
        setData(result);
        setError(null);
      }
    } catch (caught) {
      if (current.signal.aborted) return;
      setError(caught instanceof ApiError ? caught : new ApiError(0, "client", String(caught), null));
    } finally {
      if (!current.signal.aborted) setLoading(false);
    }
  }, []);

  useEffect(() => {
    setLoading(true);
    void run();
    if (!everyMs) return () => controller.current?.abort();
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") void run();
    }, everyMs);
    return () => {
      clearInterval(timer);
      controller.current?.abort();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, everyMs, run]);

  return { data, error, loading, reload: run };
}

let directoryPromise: Promise<Directory> | null = null;

/** The directory (organisations, departments, answer groups, categories), read once per session. */
export function useDirectory(): Directory | null {
  const [directory, setDirectory] = useState<Directory | null>(null);
  useEffect(() => {
    let live = true;
    directoryPromise ??= api<Directory>("/v1/directory").catch((error: unknown) => {
      directoryPromise = null;
      throw error;
    });
    directoryPromise.then((d) => live && setDirectory(d)).catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);
  return directory;
}

/** The directory's organisations the signed-in person serves: those their token lists, every one when it lists none. */
export function useServedOrganizations(): Directory["organizations"] {
  const directory = useDirectory();
  const { user } = useAuth();
  return (directory?.organizations ?? []).filter((o) => !user?.organizations.length || user.organizations.includes(o.id));
}

export function forgetDirectory(): void {
  directoryPromise = null;
}

/** Name lookups in the directory, falling back to the id. */
export function directoryNames(directory: Directory | null) {
  const departments = new Map<string, string>();
  const groups = new Map<string, string>();
  const categories = new Map<string, string>();
  const organizations = new Map<string, string>();
  for (const org of directory?.organizations ?? []) {
    organizations.set(org.id, org.name);
    for (const d of org.departments) departments.set(d.id, d.name);
    for (const g of org.answer_groups) groups.set(g.id, g.name);
    for (const c of org.categories) categories.set(c.id, c.name);
  }
  const name = (map: Map<string, string>) => (id: string | null | undefined) => (id ? (map.get(id) ?? id) : "–");
  return {
    department: name(departments),
    answerGroup: name(groups),
    category: name(categories),
    organization: name(organizations),
  };
}
