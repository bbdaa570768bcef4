/** The agent's day: queues (mine, my answer groups, first line, handed off by me, overdue) with filters. */
import { useEffect, useMemo, useRef, useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";
import { useAuth } from "../../auth";
import { useAnnounce } from "../../components/Announcer";
import { Alert, ConfidentialMarker, Loading, PageHeading, StatusBadge, useErrorText } from "../../components/bits";
import { Checkbox, SelectField, TextField } from "../../components/Field";
import { config } from "../../config";
import { formatDateTime, isoOf, isPast } from "../../format";
import { directoryNames, useDirectory, usePageTitle, usePolling } from "../../hooks";
import { useI18n, type MessageKey } from "../../i18n";
import type { AnswerGroup, Case } from "../../types";
import { dueOf, loadQueue, PAGE, queuesFor, type Filters, type QueueId } from "./queues";
import { SearchMatch } from "./SearchMatch";

const CHANNELS = ["email", "webform", "facebook", "phone", "visit", "letter", "open311"];
const STATUSES = ["new", "open", "pending_citizen", "handed_off", "resolved", "closed"];
const CASE_LANGUAGES = ["sv", "en", "ar", "other"];

function useMyGroups(user: string, all: AnswerGroup[]): [string[], (ids: string[]) => void] {
  const storageKey = `lotsen.answerGroups.${user}`;
  const [chosen, setChosen] = useState<string[] | null>(() => {
    const raw = localStorage.getItem(storageKey);
    return raw ? (JSON.parse(raw) as string[]) : null;
  });
  const save = (ids: string[]) => {
    localStorage.setItem(storageKey, JSON.stringify(ids));
    setChosen(ids);
  };
  return [chosen ?? all.map((g) => g.id), save];
}

export function QueuesPage() {
  const { t, label } = useI18n();
  const { user } = useAuth();
  const errorText = useErrorText();
  const announce = useAnnounce();
  const directory = useDirectory();
  const names = directoryNames(directory);
  const [params, setParams] = useSearchParams();
  const queues = queuesFor(user!);
  const queue = (queues.includes(params.get("queue") as QueueId) ? params.get("queue") : queues[0]) as QueueId;
  const filters: Filters = {
    q: params.get("q") ?? "",
    channel: params.get("channel") ?? "",
    status: params.get("status") ?? "",
    category: params.get("category") ?? "",
    language: params.get("language") ?? "",
  };
  const [draft, setDraft] = useState<Filters>(filters);
  useEffect(() => setDraft(filters), [params.toString()]); // eslint-disable-line react-hooks/exhaustive-deps

  const allGroups = useMemo(() => {
    const byId = new Map<string, AnswerGroup>();
    for (const org of directory?.organizations ?? []) for (const g of org.answer_groups) byId.set(g.id, g);
    return [...byId.values()];
  }, [directory]);
  const categories = useMemo(() => {
    const byId = new Map<string, string>();
    for (const org of directory?.organizations ?? []) for (const c of org.categories) byId.set(c.id, c.name);
    return [...byId.entries()].sort((a, b) => a[1].localeCompare(b[1], "sv"));
  }, [directory]);
  const [myGroups, setMyGroups] = useMyGroups(user!.name, allGroups);

  const queueTitle = t(`queue.${queue}` as MessageKey);
  usePageTitle(queueTitle);
  const groupsKey = myGroups.join(",");
  const waitingForGroups = queue === "groups" && !directory;
  const result = usePolling(
    (signal) =>
      waitingForGroups ? Promise.resolve({ items: [], truncated: false }) : loadQueue(queue, filters, user!, myGroups, signal),
    [queue, params.toString(), groupsKey, waitingForGroups],
    config.pollQueueMs,
  );

  // Announce errands that arrive while the queue is open (not on the first load or a filter change).
  const known = useRef<{ key: string; refs: Set<string> } | null>(null);
  useEffect(() => {
    if (!result.data) return;
    const key = `${queue}?${params.toString()}#${groupsKey}`;
    const refs = new Set(result.data.items.map((c) => c.ref));
    if (known.current && known.current.key === key) {
      const fresh = [...refs].filter((r) => !known.current!.refs.has(r)).length;
      if (fresh) announce(t("queue.arrived", { count: fresh }));
    }
    known.current = { key, refs };
  }, [result.data]); // eslint-disable-line react-hooks/exhaustive-deps

  function applyFilters(event: FormEvent) {
    event.preventDefault();
    const next = new URLSearchParams({ queue });
    for (const [name, value] of Object.entries(draft)) if (value) next.set(name, value);
    setParams(next);
  }

  function clearFilters() {
    setParams(new URLSearchParams({ queue }));
  }

  const items = result.data?.items ?? [];
  return (
    <>
      <PageHeading>{t("queue.heading")}</PageHeading>
      <nav aria-label={t("queue.queues")} className="queue-nav">
        <ul>
          {queues.map((id) => (
            <li key={id}>
              <Link to={`/arbetsyta?queue=${id}`} aria-current={id === queue ? "page" : undefined}>
                {t(`queue.${id}` as MessageKey)}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <p className="hint">{t(`queue.${queue}.about` as MessageKey)}</p>

      {queue === "groups" ? (
        <details className="panel panel--quiet">
          <summary>{t("queue.chooseGroups", { count: myGroups.length })}</summary>
          <fieldset className="fieldset">
            <legend>{t("queue.myGroups")}</legend>
            {allGroups.map((g) => (
              <Checkbox
                key={g.id}
                label={g.name}
                checked={myGroups.includes(g.id)}
                onChange={(e) => setMyGroups(e.target.checked ? [...myGroups, g.id] : myGroups.filter((id) => id !== g.id))}
              />
            ))}
          </fieldset>
        </details>
      ) : null}

      <form role="search" aria-label={t("queue.filters")} className="filters" onSubmit={applyFilters}>
        <TextField
          label={t("queue.search")}
          hint={t("queue.searchHint")}
          type="search"
          value={draft.q}
          onChange={(e) => setDraft({ ...draft, q: e.target.value })}
          maxLength={200}
        />
        <SelectField label={t("queue.channel")} value={draft.channel} onChange={(e) => setDraft({ ...draft, channel: e.target.value })}>
          <option value="">{t("queue.any")}</option>
          {CHANNELS.map((c) => (
            <option key={c} value={c}>
              {label("channel", c)}
            </option>
          ))}
        </SelectField>
        <SelectField label={t("queue.status")} value={draft.status} onChange={(e) => setDraft({ ...draft, status: e.target.value })}>
          <option value="">{t("queue.any")}</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {label("status", s)}
            </option>
          ))}
        </SelectField>
        <SelectField label={t("queue.category")} value={draft.category} onChange={(e) => setDraft({ ...draft, category: e.target.value })}>
          <option value="">{t("queue.any")}</option>
          {categories.map(([id, name]) => (
            <option key={id} value={id}>
              {name}
            </option>
          ))}
        </SelectField>
        <SelectField
          label={t("queue.language")}
          hint={user!.languages?.length ? t("queue.yourLanguages", { languages: user!.languages.map((l) => label("language", l)).join(", ") }) : undefined}
          value={draft.language}
          onChange={(e) => setDraft({ ...draft, language: e.target.value })}
        >
          <option value="">{t("queue.any")}</option>
          {CASE_LANGUAGES.map((l) => (
            <option key={l} value={l}>
              {label("language", l)}
            </option>
          ))}
        </SelectField>
        <div className="filters__buttons">
          <button type="submit" className="button">
            {t("queue.apply")}
          </button>
          <button type="button" className="button button--secondary" onClick={clearFilters}>
            {t("queue.clear")}
          </button>
          <button type="button" className="button button--secondary" onClick={() => void result.reload()}>
            {t("queue.refresh")}
          </button>
        </div>
      </form>

      {result.error ? <Alert>{errorText(result.error)}</Alert> : null}
      {result.loading && !result.data ? (
        <Loading />
      ) : (
        <div className="table-wrap" role="region" aria-labelledby="queue-caption" tabIndex={0}>
          <table className="table">
            <caption id="queue-caption">{t("queue.caption", { queue: queueTitle, count: items.length })}</caption>
            <thead>
              <tr>
                <th scope="col">{t("case.ref")}</th>
                <th scope="col">{t("case.subject")}</th>
                <th scope="col">{t("case.channel")}</th>
                <th scope="col">{t("case.status")}</th>
                <th scope="col">{t("case.category")}</th>
                <th scope="col">{t("case.language")}</th>
                <th scope="col">{t("case.groupOrDepartment")}</th>
                <th scope="col">{t("case.assignee")}</th>
                <th scope="col">{t("case.received")}</th>
                <th scope="col">{t("case.due")}</th>
              </tr>
            </thead>
            <tbody>
              {items.length === 0 ? (
                <tr>
                  <td colSpan={10}>{t("queue.empty")}</td>
                </tr>
              ) : (
                items.map((c) => <Row key={c.ref} c={c} names={names} />)
              )}
            </tbody>
          </table>
        </div>
      )}
      {result.data?.truncated ? <p className="hint">{t("queue.truncated", { count: PAGE })}</p> : null}
    </>
  );
}

function Row({ c, names }: { c: Case; names: ReturnType<typeof directoryNames> }) {
  const { t, label } = useI18n();
  const due = dueOf(c);
  const late = isPast(due);
  return (
    <tr className={late ? "row--late" : undefined}>
      <td className="nowrap">{c.ref}</td>
      <td>
        <Link to={`/arbetsyta/arenden/${encodeURIComponent(c.ref)}`}>{c.subject || t("case.noSubject")}</Link>
        {c.confidential ? (
          <>
            {" "}
            <ConfidentialMarker />
          </>
        ) : null}
        {c.priority === "high" || c.priority === "urgent" ? <span className="badge badge--priority">{label("priority", c.priority)}</span> : null}
        {c.match ? <SearchMatch match={c.match} /> : null}
      </td>
      <td>{label("channel", c.channel)}</td>
      <td>
        <StatusBadge status={c.status} />
      </td>
      <td>{names.category(c.category)}</td>
      <td>{label("language", c.language)}</td>
      <td>{c.status === "handed_off" || c.handled_by === "department" ? names.department(c.department) : names.answerGroup(c.answer_group)}</td>
      <td>{c.assignee ?? "–"}</td>
      <td className="nowrap">
        <time dateTime={isoOf(c.received_at ?? c.created_at)}>{formatDateTime(c.received_at ?? c.created_at)}</time>
      </td>
      <td className="nowrap">
        {due ? <time dateTime={isoOf(due)}>{formatDateTime(due)}</time> : "–"}
        {late ? <span className="badge badge--late">{t("case.late")}</span> : null}
      </td>
    </tr>
  );
}
