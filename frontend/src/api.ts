/** The services' HTTP APIs, all on this page's own origin (the gateway or reverse proxy routes them). */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown,
  ) {
    super(message);
  }

  /** The field a 422 names, in either of the services' two error shapes. */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    const details = this.details;
    if (Array.isArray(details)) {
      for (const item of details) {
        if (item && typeof item === "object" && "field" in item) {
          const field = String((item as { field: unknown }).field).split(".")[0];
          out[field] = String((item as { problem?: unknown }).problem ?? this.message);
        }
      }
    } else if (details && typeof details === "object" && "field" in details) {
      out[String((details as { field: unknown }).field)] = this.message;
    }
    return out;
  }
}

type Query = Record<string, string | number | boolean | null | undefined>;

export interface RequestOptions {
  method?: string;
  query?: Query;
  json?: unknown;
  form?: FormData | URLSearchParams;
  /** A body as it is (a CSV file); say its type in ``headers``. */
  body?: Blob | string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Send no bearer token (the citizens' pages). */
  anonymous?: boolean;
}

let currentToken: string | null = null;
let onUnauthorized: (() => void) | null = null;

export function setToken(token: string | null): void {
  currentToken = token;
}

export function setUnauthorizedHandler(handler: (() => void) | null): void {
  onUnauthorized = handler;
}

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

export async function request(path: string, options: RequestOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { Accept: "application/json", ...options.headers };
  let body: BodyInit | undefined;
  if (options.json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(options.json);
  } else if (options.form) {
    body = options.form;
  } else if (options.body !== undefined) {
    body = options.body;
  }
  if (currentToken && !options.anonymous) headers.Authorization = `Bearer ${currentToken}`;
  let response: Response;
  try {
    response = await fetch(withQuery(path, options.query), {
      method: options.method ?? (body ? "POST" : "GET"),
      headers,
      body,
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new ApiError(0, "network", "network", null);
  }
  if (!response.ok) {
    let code = `http_${response.status}`;
    let message = response.statusText;
    let details: unknown = null;
    try {
      const data = (await response.json()) as { error?: { code?: string; message?: string; details?: unknown } };
      if (data.error) {
        code = data.error.code ?? code;
        message = data.error.message ?? message;
        details = data.error.details ?? null;
      }
    } catch {
      /* not JSON: keep the status text */
    }
    if (response.status === 401 && currentToken && !options.anonymous) onUnauthorized?.();
    throw new ApiError(response.status, code, message, details);
  }
  return response;
}

export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const response = await request(path, options);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** Fetch a file with the caller's token and hand it to the browser as a download. */
export async function download(path: string, filename: string, options: RequestOptions = {}): Promise<void> {
  const response = await request(path, options);
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
