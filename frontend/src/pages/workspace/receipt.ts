/** The receipt of an errand (`GET /v1/cases/{ref}/receipt`, `…/by-contact/{id}/receipt`): what the
 * citizen needs to follow it and answer the survey, whatever channel they used. */
import { api, ApiError } from "../../api";

export interface Receipt {
  ref: string;
  access_code: string;
  organization: string;
  organization_name: string;
  channel: string;
  received_at: string | null;
  status_link: string;
  status_page: string;
}

export function receiptOfCase(ref: string, signal?: AbortSignal): Promise<Receipt> {
  return api(`/v1/cases/${encodeURIComponent(ref)}/receipt`, { signal });
}

/** A registered contact becomes a case a moment later: ask until it is there (404 until then). */
export async function receiptOfContact(contactId: string, signal: AbortSignal, { tries = 30, everyMs = 700 } = {}): Promise<Receipt | null> {
  for (let attempt = 0; attempt < tries && !signal.aborted; attempt += 1) {
    try {
      return await api<Receipt>(`/v1/cases/by-contact/${encodeURIComponent(contactId)}/receipt`, { signal });
    } catch (caught) {
      if (!(caught instanceof ApiError) || caught.status !== 404) throw caught;
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  return null;
}

/** The access code in groups of five, easier to read out and to type: `K7M2Q 9TXAB`. */
export function spaced(code: string): string {
  return code.replace(/(.{5})(?=.)/g, "$1 ");
}
