/** One errand: facts and SLA times, messages across channels, the timeline, the reply composer, actions. */
import { useCallback, useEffect, useState } from "react";
import { Link, useLocation, useNavigate, useParams } from "react-router";
import { api, ApiError, download } from "../../api";
import { Alert, ConfidentialMarker, Loading, PageHeading, StatusBadge, useErrorText } from "../../components/bits";
import { config } from "../../config";
import { formatBytes, formatDateTime, isoOf, isPast } from "../../format";
import { directoryNames, useDirectory, usePageTitle, usePolling } from "../../hooks";
import { useI18n, type MessageKey } from "../../i18n";
import type { CaseDetail, Message, TimelineEntry, Verification } from "../../types";
import { CaseActions } from "./CaseActions";
import { CasePosition } from "./CasePosition";
import { Composer } from "./Composer";
import { describeCorrection } from "./Recategorise";
import { describeFeedback } from "./FeedbackClassification";
import { CaseRegistration, MessageRegistration, RegistrationsProvider } from "./PublicRecords";
import { casePath, type CaseLocationState } from "./routes";

export function CasePage() {
  const { ref = "" } = useParams();
  // A fresh view per case: going from one case to another (a link, a merge) shows no stale case or draft.
  return <CaseView key={ref} caseRef={ref} />;
}

function CaseView({ caseRef: ref }: { caseRef: string }) {
  const { t } = useI18n();
  const location = useLocation();
  const navigate = useNavigate();
  // Told once, on arrival after a merge; the history entry forgets it so a reload does not repeat it.
  const [mergedFrom] = useState(() => (location.state as CaseLocationState | null)?.mergedFrom ?? null);
  useEffect(() => {
    if (mergedFrom) void navigate({ pathname: location.pathname, search: location.search }, { replace: true, state: null });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const errorText = useErrorText();
  const directory = useDirectory();
  const names = directoryNames(directory);
  const load = useCallback(
    async (signal: AbortSignal) => {
      const [detail, timeline] = await Promise.all([
        api<CaseDetail>(`/v1/cases/${encodeURIComponent(ref)}`, { signal }),
        api<TimelineEntry[]>(`/v1/cases/${encodeURIComponent(ref)}/timeline`, { signal }),
      ]);
      return { detail, timeline };
    },
    [ref],
  );
  const result = usePolling(load, [ref], config.pollCaseMs);
  const c = result.data?.detail;
  usePageTitle(c ? `${c.ref} ${c.subject ?? ""}` : ref);

  if (!result.data) {
    return (
      <>
        <PageHeading>{ref}</PageHeading>
        {result.error ? (
          <Alert>{result.error.status === 404 ? t("case.notFound", { ref }) : errorText(result.error)}</Alert>
        ) : (
          <Loading />
        )}
        <p>
          <Link to="/arbetsyta">{t("case.backToQueues")}</Link>
        </p>
      </>
    );
  }
  const detail = result.data.detail;
  const org = directory?.organizations.find((o) => o.id === detail.organization) ?? null;
  return (
    <>
      <p className="breadcrumb">
        <Link to="/arbetsyta">{t("case.backToQueues")}</Link>
        {" · "}
        <Link to={`/arbetsyta/kvitto/${encodeURIComponent(detail.ref)}`}>{t("register.receiptPrint")}</Link>
      </p>
      <PageHeading>
        <span className="case-ref">{detail.ref}</span> {detail.subject || t("case.noSubject")}
      </PageHeading>
      <p className="case-badges">
        <StatusBadge status={detail.status} />
        {detail.confidential ? <ConfidentialMarker /> : null}
      </p>
      {mergedFrom ? <Alert kind="success">{t("actions.merged", { from: mergedFrom, ref: detail.ref })}</Alert> : null}
      {detail.merged_into ? <MergedNotice into={detail.merged_into} /> : null}
      {result.error ? <Alert>{t("case.refreshFailed", { error: errorText(result.error) })}</Alert> : null}
      <RegistrationsProvider detail={detail}>
        <div className="case-layout">
          <div className="case-main">
            <Messages detail={detail} />
            <Composer detail={detail} onDone={result.reload} />
            <Timeline entries={result.data.timeline} caseRef={detail.ref} names={names} />
          </div>
          <aside className="case-side" aria-label={t("case.factsAndActions")}>
            <Facts detail={detail} names={names} />
            <CasePosition detail={detail} onDone={result.reload} />
            <CaseActions detail={detail} organization={org} onDone={result.reload} />
            <CaseRegistration />
          </aside>
        </div>
      </RegistrationsProvider>
    </>
  );
}

/** A duplicate says where its errand went on, with the way there. */
function MergedNotice({ into }: { into: string }) {
  const { t } = useI18n();
  const [before, after] = t("case.mergedInto").split("{ref}");
  return (
    <section className="alert alert--info merged-notice" aria-labelledby="merged-heading">
      <h2 id="merged-heading">
        {before}
        <Link to={casePath(into)}>{into}</Link>
        {after}
      </h2>
      <p>{t("case.mergedIntoHint", { ref: into })}</p>
    </section>
  );
}

function CaseLinks({ refs }: { refs: string[] }) {
  return (
    <ul className="plain">
      {refs.map((other) => (
        <li key={other}>
          <Link to={casePath(other)}>{other}</Link>
        </li>
      ))}
    </ul>
  );
}

function Facts({ detail, names }: { detail: CaseDetail; names: ReturnType<typeof directoryNames> }) {
  const { t, label } = useI18n();
  const firstDue = detail.first_response_at ? null : detail.first_response_due;
  // A merge also links the two cases; the merge is shown on its own, so it is not listed twice.
  const merged = new Set([...(detail.merged_from ?? []), ...(detail.merged_into ? [detail.merged_into] : [])]);
  const linked = (detail.links ?? []).filter((ref) => !merged.has(ref));
  return (
    <section className="panel" aria-labelledby="facts-heading">
      <h2 id="facts-heading">{t("case.facts")}</h2>
      <dl className="facts">
        <dt>{t("case.organization")}</dt>
        <dd>{names.organization(detail.organization)}</dd>
        <dt>{t("case.channel")}</dt>
        <dd>{label("channel", detail.channel)}</dd>
        <dt>{t("case.category")}</dt>
        <dd>{names.category(detail.category)}</dd>
        <dt>{t("case.rosa")}</dt>
        <dd>{detail.rosa_level}</dd>
        <dt>{t("case.handledBy")}</dt>
        <dd>{label("handledBy", detail.handled_by)}</dd>
        <dt>{t("case.answerGroup")}</dt>
        <dd>{names.answerGroup(detail.answer_group)}</dd>
        <dt>{t("case.department")}</dt>
        <dd>{names.department(detail.department)}</dd>
        <dt>{t("case.priority")}</dt>
        <dd>{label("priority", detail.priority)}</dd>
        <dt>{t("case.assignee")}</dt>
        <dd>{detail.assignee ?? t("case.unassigned")}</dd>
        <dt>{t("case.received")}</dt>
        <dd>
          <time dateTime={isoOf(detail.received_at ?? detail.created_at)}>{formatDateTime(detail.received_at ?? detail.created_at)}</time>
        </dd>
        <dt>{t("case.firstResponseDue")}</dt>
        <dd>
          {detail.first_response_at ? (
            t("case.answeredAt", { at: formatDateTime(detail.first_response_at) })
          ) : (
            <Due value={firstDue} />
          )}
        </dd>
        {detail.status === "handed_off" || detail.due_at ? (
          <>
            <dt>{t("case.departmentDue")}</dt>
            <dd>
              <Due value={detail.status === "handed_off" ? detail.due_at : null} fallback={formatDateTime(detail.due_at)} />
            </dd>
          </>
        ) : null}
        {detail.resolved_at ? (
          <>
            <dt>{t("case.resolvedAt")}</dt>
            <dd>
              {formatDateTime(detail.resolved_at)} ({label("resolution", detail.resolution_code)}
              {detail.failure_demand ? `, ${t("case.failureDemand")}` : ""})
            </dd>
          </>
        ) : null}
        {linked.length ? (
          <>
            <dt>{t("case.links")}</dt>
            <dd>
              <CaseLinks refs={linked} />
            </dd>
          </>
        ) : null}
        {detail.merged_from?.length ? (
          <>
            <dt>{t("case.mergedFrom")}</dt>
            <dd>
              <CaseLinks refs={detail.merged_from} />
            </dd>
          </>
        ) : null}
      </dl>
      {detail.citizen ? (
        <>
          <h3>{t("case.citizen")}</h3>
          <dl className="facts">
            <dt>{t("form.name")}</dt>
            <dd>{detail.citizen.name || "–"}</dd>
            <dt>{t("form.email")}</dt>
            <dd>{detail.citizen.email || "–"}</dd>
            <dt>{t("form.phone")}</dt>
            <dd>{detail.citizen.phone || "–"}</dd>
          </dl>
        </>
      ) : null}
      {detail.routing?.explanation ? (
        <details>
          <summary>{t("case.whyRouted")}</summary>
          <p>{detail.routing.explanation}</p>
          {detail.routing.matched_rules?.length ? (
            <p>
              {t("case.matchedRules")}: {detail.routing.matched_rules.join(", ")}
            </p>
          ) : null}
        </details>
      ) : null}
    </section>
  );
}

function Due({ value, fallback }: { value: string | null | undefined; fallback?: string }) {
  const { t } = useI18n();
  if (!value) return <>{fallback ?? "–"}</>;
  const late = isPast(value);
  return (
    <>
      <time dateTime={isoOf(value)}>{formatDateTime(value)}</time>
      {late ? <span className="badge badge--late">{t("case.late")}</span> : null}
    </>
  );
}

const DIRECTION_KEYS: Record<Message["direction"], MessageKey> = {
  inbound: "message.inbound",
  outbound: "message.outbound",
  internal: "message.internal",
};

function Messages({ detail }: { detail: CaseDetail }) {
  const { t, label } = useI18n();
  const errorText = useErrorText();
  const [channel, setChannel] = useState("");
  const [failure, setFailure] = useState<string | null>(null);
  const counts = new Map<string, number>();
  for (const m of detail.messages) counts.set(m.channel, (counts.get(m.channel) ?? 0) + 1);
  const shown = detail.messages.filter((m) => !channel || m.channel === channel);

  async function fetchAttachment(sha256: string, name: string) {
    setFailure(null);
    try {
      await download(`/v1/cases/${encodeURIComponent(detail.ref)}/attachments/${sha256}`, name);
    } catch (caught) {
      setFailure(errorText(caught));
    }
  }

  return (
    <section aria-labelledby="messages-heading">
      <h2 id="messages-heading">{t("case.messages", { count: detail.messages.length })}</h2>
      {counts.size > 1 ? (
        <div className="segmented" role="group" aria-label={t("case.messagesByChannel")}>
          <button type="button" aria-pressed={channel === ""} onClick={() => setChannel("")}>
            {t("case.allChannels", { count: detail.messages.length })}
          </button>
          {[...counts.entries()].map(([c, n]) => (
            <button key={c} type="button" aria-pressed={channel === c} onClick={() => setChannel(c)}>
              {label("channel", c)} ({n})
            </button>
          ))}
        </div>
      ) : null}
      {failure ? <Alert>{failure}</Alert> : null}
      <ol className="messages">
        {shown.map((m) => (
          <li key={m.key} className={`message message--${m.direction}${m.automatic ? " message--automatic" : ""}`}>
            <article aria-label={`${m.automatic ? t("message.automatic") : t(DIRECTION_KEYS[m.direction])}, ${formatDateTime(m.at)}`}>
              <p className="message__meta">
                <strong>{m.automatic ? t("message.automatic") : t(DIRECTION_KEYS[m.direction])}</strong>
                {" · "}
                {label("channel", m.channel)}
                {" · "}
                <time dateTime={isoOf(m.at)}>{formatDateTime(m.at)}</time>
                {m.author && m.direction !== "inbound" ? ` · ${m.author}` : ""}
                {m.sender?.name || m.sender?.email ? ` · ${m.sender?.name ?? ""} ${m.sender?.email ? `<${m.sender.email}>` : ""}` : ""}
                {m.delivery?.status ? ` · ${label("delivery", m.delivery.status)}` : ""}
                {m.merged_from ? ` · ${t("message.mergedFrom", { ref: m.merged_from })}` : ""}
              </p>
              {m.subject ? <p className="message__subject">{m.subject}</p> : null}
              <p className="message__text">{m.text}</p>
              {m.attachments?.length ? (
                <ul className="attachments" aria-label={t("case.attachments")}>
                  {m.attachments.map((a) => (
                    <li key={a.sha256}>
                      <button type="button" className="link-button" onClick={() => void fetchAttachment(a.sha256, a.name ?? a.sha256)}>
                        {t("case.downloadAttachment", { name: a.name ?? a.sha256 })}
                      </button>{" "}
                      <span className="hint">
                        {a.content_type ?? ""} {formatBytes(a.size)}
                      </span>
                    </li>
                  ))}
                </ul>
              ) : null}
              <MessageRegistration messageKey={m.key} />
            </article>
          </li>
        ))}
      </ol>
    </section>
  );
}

function Timeline({ entries, caseRef, names }: { entries: TimelineEntry[]; caseRef: string; names: ReturnType<typeof directoryNames> }) {
  const { t, label } = useI18n();
  const errorText = useErrorText();
  const [verification, setVerification] = useState<Verification | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  async function verify() {
    setFailure(null);
    try {
      setVerification(await api<Verification>(`/v1/cases/${encodeURIComponent(caseRef)}/timeline/verify`));
    } catch (caught) {
      setFailure(caught instanceof ApiError ? errorText(caught) : String(caught));
    }
  }

  function describe(entry: TimelineEntry): string {
    const d = entry.data;
    const parts: string[] = entry.type === "recategorised" ? describeCorrection(d, names, t) : [];
    if (entry.type === "feedback_classified") parts.push(...describeFeedback(d, names.department, t));
    if (typeof d.department === "string") parts.push(names.department(d.department));
    if (typeof d.reason === "string" && d.reason) parts.push(`”${d.reason}”`);
    if (typeof d.due_at === "string") parts.push(t("timeline.dueAt", { at: formatDateTime(d.due_at) }));
    if ("assignee" in d) parts.push(d.assignee ? String(d.assignee) : t("case.unassigned"));
    if (typeof d.resolution_code === "string") parts.push(label("resolution", d.resolution_code));
    if (d.failure_demand === true) parts.push(t("case.failureDemand"));
    if (typeof d.ref === "string") parts.push(d.ref);
    if (typeof d.diary_number === "string") parts.push(d.diary_number);
    if (entry.type === "merged" && typeof d.from === "string") parts.push(d.from);
    if (entry.type === "merged" && typeof d.messages === "number") parts.push(t("timeline.mergedMessages", { count: d.messages }));
    if (typeof d.direction === "string") {
      const who = d.automatic ? t("message.automatic") : t(DIRECTION_KEYS[d.direction as Message["direction"]] ?? "message.inbound");
      parts.push(typeof d.channel === "string" && d.direction !== "internal" ? `${who} (${label("channel", d.channel)})` : who);
    }
    const showsChannel = entry.type === "created" || entry.type.startsWith("outbound_");
    if (typeof d.channel === "string" && showsChannel) parts.push(label("channel", d.channel));
    return parts.join(" · ");
  }

  return (
    <section aria-labelledby="timeline-heading" className="timeline-section">
      <h2 id="timeline-heading">{t("timeline.title")}</h2>
      <ol className="timeline">
        {entries.map((entry) => (
          <li key={entry.seq}>
            <time dateTime={isoOf(entry.at)}>{formatDateTime(entry.at)}</time> <strong>{label("timeline", entry.type)}</strong>{" "}
            <span className="hint">{t("timeline.by", { actor: label("actor", entry.actor) })}</span>
            {describe(entry) ? <div>{describe(entry)}</div> : null}
          </li>
        ))}
      </ol>
      <button type="button" className="button button--secondary button--small" onClick={() => void verify()}>
        {t("timeline.verify")}
      </button>
      <div role="status" aria-live="polite">
        {verification ? (
          <p className={verification.ok ? "verify verify--ok" : "verify verify--broken"}>
            {verification.ok
              ? t("timeline.intact", { count: verification.entries })
              : t("timeline.broken", { seq: verification.first_broken ?? "?" })}
          </p>
        ) : null}
      </div>
      {failure ? <Alert>{failure}</Alert> : null}
    </section>
  );
}
