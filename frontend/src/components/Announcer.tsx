/** One polite live region for the whole app: async results ("Svaret har skickats") are read aloud. */
import { createContext, useCallback, useContext, useState, type ReactNode } from "react";

const AnnouncerContext = createContext<(message: string) => void>(() => undefined);

export function AnnouncerProvider({ children }: { children: ReactNode }) {
  const [message, setMessage] = useState("");
  const announce = useCallback((text: string) => {
    // Clear first so the same sentence twice is announced twice.
    setMessage("");
    setTimeout(() => setMessage(text), 50);
  }, []);
  return (
    <AnnouncerContext.Provider value={announce}>
      {children}
      <div className="visually-hidden" role="status" aria-live="polite" aria-atomic="true" data-testid="announcer">
        {message}
      </div>
    </AnnouncerContext.Provider>
  );
}

export function useAnnounce(): (message: string) => void {
  return useContext(AnnouncerContext);
}
