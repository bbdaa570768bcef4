/** Where a search's words were found in a case: the field and the excerpt, the words marked.
 *  The excerpt is the citizen's or a colleague's text: it is rendered as text, never as markup. */
import type { MessageKey } from "../../i18n";
import { useI18n } from "../../i18n";
import type { SearchMatch as Match } from "../../types";

/** The excerpt cut into text and marked words; offsets count Unicode code points, as the API's do. */
export function segments(snippet: string, highlights: [number, number][]): { text: string; marked: boolean }[] {
  const chars = Array.from(snippet);
  const out: { text: string; marked: boolean }[] = [];
  let at = 0;
  for (const [start, end] of [...highlights].sort((a, b) => a[0] - b[0])) {
    if (start < at || end > chars.length || end <= start) continue;
    if (start > at) out.push({ text: chars.slice(at, start).join(""), marked: false });
    out.push({ text: chars.slice(start, end).join(""), marked: true });
    at = end;
  }
  if (at < chars.length) out.push({ text: chars.slice(at).join(""), marked: false });
  return out;
}

export function SearchMatch({ match }: { match: Match }) {
  const { t } = useI18n();
  const field = t(`search.field.${match.field}` as MessageKey);
  return (
    <p className="hint search-match">
      {t("search.foundIn", { field })}{" "}
      {match.snippet === null
        ? t("search.confidential")
        : segments(match.snippet, match.highlights).map((part, i) => (part.marked ? <mark key={i}>{part.text}</mark> : <span key={i}>{part.text}</span>))}
    </p>
  );
}
