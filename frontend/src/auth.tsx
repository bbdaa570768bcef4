/** Log-in with a local account (`POST /v1/auth/token`); the token lives in this tab's sessionStorage. */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { api, setToken, setUnauthorizedHandler } from "./api";
import type { Role } from "./types";

export interface User {
  name: string;
  role: Role;
  departments: string[];
  organizations: string[];
  /** The languages the person answers citizens in (a skill the queues offer, not a permission). */
  languages: string[];
  expiresAt: number;
}

interface Session {
  token: string;
  user: User;
}

interface Auth {
  user: User | null;
  login: (username: string, password: string) => Promise<User>;
  logout: (reason?: "expired") => void;
  expired: boolean;
}

const STORAGE_KEY = "lotsen.session";
const AuthContext = createContext<Auth | null>(null);

/** The claims of the JWT (the services verify its signature; the app only reads who it is). */
export function decodeToken(token: string): User {
  const payload = token.split(".")[1] ?? "";
  const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(payload.length / 4) * 4, "="));
  const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0)))) as {
    sub: string;
    role: Role;
    departments?: string[];
    organizations?: string[];
    languages?: string[];
    exp: number;
  };
  return {
    name: claims.sub,
    role: claims.role,
    departments: claims.departments ?? [],
    organizations: claims.organizations ?? [],
    languages: claims.languages ?? [],
    expiresAt: claims.exp * 1000,
  };
}

function restore(): Session | null {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    if (!raw) return null;
    const session = JSON.parse(raw) as Session;
    if (session.user.expiresAt <= Date.now()) return null;
    setToken(session.token);
    return session;
  } catch {
    return null;
  }
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(restore);
  const [expired, setExpired] = useState(false);

  const logout = useCallback((reason?: "expired") => {
    sessionStorage.removeItem(STORAGE_KEY);
    setToken(null);
    setSession(null);
    setExpired(reason === "expired");
  }, []);

  const login = useCallback(async (username: string, password: string) => {
    const form = new URLSearchParams({ username, password });
    const data = await api<{ access_token: string }>("/v1/auth/token", { form, anonymous: true });
    const next = { token: data.access_token, user: decodeToken(data.access_token) };
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(next));
    setToken(next.token);
    setSession(next);
    setExpired(false);
    return next.user;
  }, []);

  useEffect(() => {
    setUnauthorizedHandler(() => logout("expired"));
    return () => setUnauthorizedHandler(null);
  }, [logout]);

  useEffect(() => {
    if (!session) return;
    const timer = setTimeout(() => logout("expired"), Math.max(0, session.user.expiresAt - Date.now()));
    return () => clearTimeout(timer);
  }, [session, logout]);

  const value = useMemo<Auth>(
    () => ({ user: session?.user ?? null, login, logout, expired }),
    [session, login, logout, expired],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const value = useContext(AuthContext);
  if (!value) throw new Error("useAuth outside AuthProvider");
  return value;
}

/** Where each role starts after logging in. */
export function homeOf(role: Role): string {
  if (role === "admin") return "/arbetsyta/admin";
  return "/arbetsyta";
}
