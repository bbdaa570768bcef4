/** What an administration form's last action came to: a message shown and announced, or why it failed. */
import { useState } from "react";
import { useAnnounce } from "../../components/Announcer";
import { Alert, useErrorText } from "../../components/bits";

export function useOutcome() {
  const announce = useAnnounce();
  const errorText = useErrorText();
  const [failure, setFailure] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  /** Runs `action`; shows and announces the message it returns, or shows why it failed. True when it worked. */
  async function attempt(action: () => Promise<string>): Promise<boolean> {
    setFailure(null);
    setDone(null);
    try {
      const message = await action();
      setDone(message);
      announce(message);
      return true;
    } catch (caught) {
      setFailure(errorText(caught));
      return false;
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
  return { attempt, clear, alerts };
}
