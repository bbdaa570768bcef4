/** The actions on a case: assign, wait for the citizen, hand off, return, resolve, close, reopen, link, merge, change category. */
import { useState, type FormEvent, type ReactNode } from "react";
import { useNavigate } from "react-router";
import { api, ApiError } from "../../api";
import { useAuth } from "../../auth";
import { useAnnounce } from "../../components/Announcer";
import { Alert, useErrorText } from "../../components/bits";
import { Checkbox, focusFirstError, Options, SelectField, TextArea, TextField } from "../../components/Field";
import { useI18n } from "../../i18n";
import type { CaseDetail, Organization } from "../../types";
import { may, RESOLUTION_CODES } from "./permissions";
import { Recategorise } from "./Recategorise";
import { FeedbackClassification, isSynpunkt } from "./FeedbackClassification";
import { casePath, type CaseLocationState } from "./routes";

const REF = /^[A-Z]{2,6}-\d{4}-\d{6}$/;

interface ActOptions {
  /** What follows success; by default the case is loaded again. */
  then?: () => Promise<void> | void;
  /** A more specific text for a failure, or null for the usual one. */
  explain?: (caught: unknown) => string | null;
}

export function CaseActions({ detail, organization, onDone }: { detail: CaseDetail; organization: Organization | null; onDone: () => Promise<void> }) {
  const { t, label } = useI18n();
  const { user } = useAuth();
  const announce = useAnnounce();
  const navigate = useNavigate();
  const errorText = useErrorText();
  const [failure, setFailure] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [assignee, setAssignee] = useState("");
  const [department, setDepartment] = useState("");
  const [handoffReason, setHandoffReason] = useState("");
  const [returnReason, setReturnReason] = useState("");
  const [resolution, setResolution] = useState<string>("answered");
  const [failureDemand, setFailureDemand] = useState(false);
  const [linkRef, setLinkRef] = useState("");
  const [mergeRef, setMergeRef] = useState("");
  const [mergeTarget, setMergeTarget] = useState<string | null>(null); // asked to confirm
  const [errors, setErrors] = useState<Record<string, string>>({});
  const role = user!.role;
  const can = (action: Parameters<typeof may>[0]) => may(action, role, detail.status);
  const path = (action: string) => `/v1/cases/${encodeURIComponent(detail.ref)}/${action}`;

  async function act(action: string, body: unknown, message: string, options: ActOptions = {}) {
    setBusy(true);
    setFailure(null);
    setDone(null);
    try {
      await api(path(action), { json: body ?? {} });
      setDone(message);
      announce(message);
      await (options.then ?? onDone)();
      return true;
    } catch (caught) {
      setFailure(options.explain?.(caught) ?? errorText(caught));
      return false;
    } finally {
      setBusy(false);
    }
  }

  function need(values: Record<string, [string, string]>): boolean {
    const found: Record<string, string> = {};
    for (const [field, [value, message]] of Object.entries(values)) if (!value.trim()) found[field] = message;
    setErrors(found);
    return !focusFirstError(found, "action");
  }

  async function handoff(event: FormEvent) {
    event.preventDefault();
    if (!need({ department: [department, t("actions.departmentMissing")], handoffReason: [handoffReason, t("actions.reasonMissing")] })) return;
    const name = organization?.departments.find((d) => d.id === department)?.name ?? department;
    if (await act("handoff", { department, reason: handoffReason.trim() }, t("actions.handedOff", { department: name }))) {
      setHandoffReason("");
      setDepartment("");
    }
  }

  async function giveBack(event: FormEvent) {
    event.preventDefault();
    if (!need({ returnReason: [returnReason, t("actions.reasonMissing")] })) return;
    if (await act("return", { reason: returnReason.trim() }, t("actions.returned"))) setReturnReason("");
  }

  async function resolve(event: FormEvent) {
    event.preventDefault();
    await act("resolve", { resolution_code: resolution, failure_demand: failureDemand }, t("actions.resolved"));
  }

  async function assign(event: FormEvent) {
    event.preventDefault();
    if (!need({ assignee: [assignee, t("actions.assigneeMissing")] })) return;
    if (await act("assign", { assignee: assignee.trim() }, t("actions.assigned", { name: assignee.trim() }))) setAssignee("");
  }

  async function link(event: FormEvent) {
    event.preventDefault();
    const other = linkRef.trim().toUpperCase();
    if (!REF.test(other)) {
      setErrors({ linkRef: t("actions.linkInvalid") });
      document.getElementById("action-linkRef")?.focus();
      return;
    }
    setErrors({});
    if (await act("link", { ref: other }, t("actions.linked", { ref: other }))) setLinkRef("");
  }

  function askToMerge(event: FormEvent) {
    event.preventDefault();
    const into = mergeRef.trim().toUpperCase();
    const problem = !REF.test(into) ? t("actions.linkInvalid") : into === detail.ref ? t("actions.mergeSelf") : null;
    if (problem) {
      setErrors({ mergeRef: problem });
      document.getElementById("action-mergeRef")?.focus();
      return;
    }
    setErrors({});
    setMergeTarget(into); // a merge cannot be undone: asked once more, the confirm button takes focus
  }

  function cancelMerge() {
    setMergeTarget(null);
    document.getElementById("action-mergeRef")?.focus();
  }

  async function merge(into: string) {
    const state: CaseLocationState = { mergedFrom: detail.ref };
    const merged = await act("merge", { into }, t("actions.merged", { from: detail.ref, ref: into }), {
      // The duplicate is closed now: carry on in the case it was merged into.
      then: () => navigate(casePath(into), { state }),
      explain: (caught) => (caught instanceof ApiError && caught.status === 404 ? t("case.notFound", { ref: into }) : null),
    });
    setMergeTarget(null);
    if (!merged) document.getElementById("action-mergeRef")?.focus();
  }

  const sections: ReactNode[] = [];
  if (can("assign")) {
    sections.push(
      <section key="assign" aria-labelledby="assign-heading" className="action">
        <h3 id="assign-heading">{t("actions.assignTitle")}</h3>
        <div className="button-row">
          {detail.assignee !== user!.name ? (
            <button type="button" className="button button--secondary" disabled={busy} onClick={() => void act("assign", { assignee: user!.name }, t("actions.assigned", { name: user!.name }))}>
              {t("actions.assignMe")}
            </button>
          ) : null}
          {detail.assignee ? (
            <button type="button" className="button button--secondary" disabled={busy} onClick={() => void act("assign", { assignee: null }, t("actions.released"))}>
              {t("actions.release")}
            </button>
          ) : null}
        </div>
        <form onSubmit={assign} noValidate className="form-inline">
          <TextField id="action-assignee" label={t("actions.assignee")} error={errors.assignee} value={assignee} onChange={(e) => setAssignee(e.target.value)} autoComplete="off" />
          <button type="submit" className="button button--secondary" disabled={busy}>
            {t("actions.assign")}
          </button>
        </form>
      </section>,
    );
  }
  if (can("pending")) {
    sections.push(
      <section key="pending" aria-labelledby="pending-heading" className="action">
        <h3 id="pending-heading">{t("actions.pendingTitle")}</h3>
        <p className="hint">{t("actions.pendingHint")}</p>
        <button type="button" className="button button--secondary" disabled={busy} onClick={() => void act("pending", {}, t("actions.pendingDone"))}>
          {t("actions.pending")}
        </button>
      </section>,
    );
  }
  if (can("handoff")) {
    sections.push(
      <section key="handoff" aria-labelledby="handoff-heading" className="action">
        <h3 id="handoff-heading">{t("actions.handoffTitle")}</h3>
        <form onSubmit={handoff} noValidate>
          <SelectField id="action-department" label={t("actions.department")} error={errors.department} value={department} onChange={(e) => setDepartment(e.target.value)}>
            <option value="">{t("actions.chooseDepartment")}</option>
            <Options items={(organization?.departments ?? [])} />
          </SelectField>
          <TextArea
            id="action-handoffReason"
            label={t("actions.handoffReason")}
            hint={t("actions.handoffReasonHint")}
            error={errors.handoffReason}
            value={handoffReason}
            onChange={(e) => setHandoffReason(e.target.value)}
            rows={3}
            maxLength={2000}
          />
          <button type="submit" className="button" disabled={busy}>
            {t("actions.handoff")}
          </button>
        </form>
      </section>,
    );
  }
  if (can("return")) {
    sections.push(
      <section key="return" aria-labelledby="return-heading" className="action">
        <h3 id="return-heading">{t("actions.returnTitle")}</h3>
        <form onSubmit={giveBack} noValidate>
          <TextArea id="action-returnReason" label={t("actions.returnReason")} error={errors.returnReason} value={returnReason} onChange={(e) => setReturnReason(e.target.value)} rows={3} maxLength={2000} />
          <button type="submit" className="button button--secondary" disabled={busy}>
            {t("actions.return")}
          </button>
        </form>
      </section>,
    );
  }
  if (can("resolve")) {
    sections.push(
      <section key="resolve" aria-labelledby="resolve-heading" className="action">
        <h3 id="resolve-heading">{t("actions.resolveTitle")}</h3>
        <form onSubmit={resolve} noValidate>
          <SelectField label={t("actions.resolution")} value={resolution} onChange={(e) => setResolution(e.target.value)}>
            {RESOLUTION_CODES.map((code) => (
              <option key={code} value={code}>
                {label("resolution", code)}
              </option>
            ))}
          </SelectField>
          <Checkbox label={t("actions.failureDemand")} hint={t("actions.failureDemandHint")} checked={failureDemand} onChange={(e) => setFailureDemand(e.target.checked)} />
          <button type="submit" className="button" disabled={busy}>
            {t("actions.resolve")}
          </button>
        </form>
      </section>,
    );
  }
  if (can("close") || can("reopen")) {
    sections.push(
      <section key="close" aria-labelledby="close-heading" className="action">
        <h3 id="close-heading">{t("actions.closeTitle")}</h3>
        <div className="button-row">
          {can("close") ? (
            <button type="button" className="button button--secondary" disabled={busy} onClick={() => void act("close", {}, t("actions.closed"))}>
              {t("actions.close")}
            </button>
          ) : null}
          {can("reopen") ? (
            <button type="button" className="button button--secondary" disabled={busy} onClick={() => void act("reopen", {}, t("actions.reopened"))}>
              {t("actions.reopen")}
            </button>
          ) : null}
        </div>
      </section>,
    );
  }
  if (can("link")) {
    sections.push(
      <section key="link" aria-labelledby="link-heading" className="action">
        <h3 id="link-heading">{t("actions.linkTitle")}</h3>
        <form onSubmit={link} noValidate className="form-inline">
          <TextField id="action-linkRef" label={t("actions.linkRef")} hint={t("actions.linkHint")} error={errors.linkRef} value={linkRef} onChange={(e) => setLinkRef(e.target.value)} autoComplete="off" />
          <button type="submit" className="button button--secondary" disabled={busy}>
            {t("actions.link")}
          </button>
        </form>
      </section>,
    );
  }
  if (can("recategorise")) {
    sections.push(<Recategorise key="recategorise" detail={detail} organization={organization} onDone={onDone} />);
  }
  // Classifying a synpunkt is allowed in the same statuses and to the same roles as a correction.
  if (can("recategorise") && isSynpunkt(detail)) sections.push(<FeedbackClassification key="feedback" detail={detail} organization={organization} onDone={onDone} />);
  if (can("merge")) {
    sections.push(
      <section key="merge" aria-labelledby="merge-heading" className="action">
        <h3 id="merge-heading">{t("actions.mergeTitle")}</h3>
        <form onSubmit={askToMerge} noValidate className="form-inline">
          <TextField id="action-mergeRef" label={t("actions.mergeRef")} hint={t("actions.mergeHint")} error={errors.mergeRef} value={mergeRef} onChange={(e) => { setMergeRef(e.target.value); setMergeTarget(null); }} autoComplete="off" />
          <button type="submit" className="button button--secondary" disabled={busy || mergeTarget !== null}>
            {t("actions.merge")}
          </button>
        </form>
        {mergeTarget ? (
          <div className="confirm" role="group" aria-labelledby="merge-confirm-text">
            <p id="merge-confirm-text">{t("actions.mergeConfirm", { from: detail.ref, ref: mergeTarget })}</p>
            <div className="button-row">
              <button type="button" className="button button--danger" autoFocus aria-describedby="merge-confirm-text" disabled={busy} onClick={() => void merge(mergeTarget)}>
                {t("actions.mergeYes")}
              </button>
              <button type="button" className="button button--secondary" disabled={busy} onClick={cancelMerge}>
                {t("actions.mergeCancel")}
              </button>
            </div>
          </div>
        ) : null}
      </section>,
    );
  }

  return (
    <section className="panel" aria-labelledby="actions-heading">
      <h2 id="actions-heading">{t("actions.title")}</h2>
      {failure ? <Alert>{failure}</Alert> : null}
      {done ? <Alert kind="success">{done}</Alert> : null}
      {sections.length ? sections : <p>{role === "admin" ? t("actions.adminReadOnly") : t("actions.none")}</p>}
    </section>
  );
}
