/** What a form's last action came to: a message shown and announced, or why it failed; busy while it runs. */
import { useState } from "react";
import { useAnnounce } from "./Announcer";
import { Alert, useErrorText } from "./bits";

export function useOutcome() {
  const announce = useAnnounce();
  const errorText = useErrorText();
  const [failure, setFailure] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  /** Runs `action`; shows and announces the message it returns (none for null), or shows why it
   * failed. True when it worked. */
  async function attempt(action: () => Promise<string | null>): Promise<boolean> {
    setFailure(null);
    setDone(null);
    setBusy(true);
    try {
      const message = await action();
      if (message !== null) {
        setDone(message);
        announce(message);
      }
      return true;
    } catch (caught) {
      setFailure(errorText(caught));
      return false;
    } finally {
      setBusy(false);
    }
  }

  function clear() {
    setFailure(null);
    setDone(null);
  }

  const alerts = (
    <>
      {failure ? <Alert>{failure}</Alert> : null}
      {done ? <Alert kind="success">{done}</Alert> : null}
    </>
  );
  return { attempt, clear, alerts, busy };
}
