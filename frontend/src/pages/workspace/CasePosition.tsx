/** Where the errand is: the address, WGS 84 and SWEREF 99 TM coordinates, the place on OpenStreetMap,
 *  and the sender's photo link (opened in a new tab, never shown inline from an unknown host). */
import { useState, type FormEvent } from "react";
import { api } from "../../api";
import { useAuth } from "../../auth";
import { useOutcome } from "../../components/outcome";
import { focusFirstError, TextArea, TextField } from "../../components/Field";
import { formatInteger } from "../../format";
import { useI18n } from "../../i18n";
import type { CaseDetail, CasePosition as Position } from "../../types";

// Coordinates in Swedish format (decimal comma) like every other number; 6 decimals are about 0,1 m.
const degrees = new Intl.NumberFormat("sv-SE", { minimumFractionDigits: 6, maximumFractionDigits: 6 });

/** The OpenStreetMap page with a marker on the point, zoomed in to street level. */
export function openStreetMapUrl(lat: number, lon: number): string {
  const la = lat.toFixed(6);
  const lo = lon.toFixed(6);
  return `https://www.openstreetmap.org/?mlat=${la}&mlon=${lo}#map=18/${la}/${lo}`;
}

/** Only a web link is offered; the API keeps nothing else, and this says so again. */
function webLink(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
  } catch {
    return null;
  }
}

export function CasePosition({ detail, onDone }: { detail: CaseDetail; onDone: () => Promise<void> }) {
  const { t } = useI18n();
  const { user } = useAuth();
  const position = detail.position;
  if (!position) return null;
  const { lat, lon, sweref99tm, address } = position;
  const placed = lat != null && lon != null;
  const photo = webLink(position.media_url);
  if (!placed && !address && !photo) return null;
  return (
    <section className="panel case-position" aria-labelledby="position-heading">
      <h2 id="position-heading">{t("position.title")}</h2>
      <dl className="facts">
        {address ? (
          <>
            <dt>{t("position.address")}</dt>
            <dd>{address}</dd>
          </>
        ) : null}
        {placed ? (
          <>
            <dt>{t("position.wgs84")}</dt>
            <dd>
              {t("position.latLon", { lat: degrees.format(lat), lon: degrees.format(lon) })}
            </dd>
            <dt>{t("position.sweref99tm")}</dt>
            <dd>
              {sweref99tm
                ? t("position.northingEasting", {
                    northing: formatInteger(sweref99tm.northing),
                    easting: formatInteger(sweref99tm.easting),
                  })
                : t("position.outsideSweref")}
            </dd>
          </>
        ) : null}
      </dl>
      {placed ? (
        <p>
          <a href={openStreetMapUrl(lat, lon)} target="_blank" rel="noopener noreferrer">
            {t("position.showOnMap")}
          </a>
        </p>
      ) : null}
      {photo ? (
        <p>
          <a href={photo} target="_blank" rel="noopener noreferrer" referrerPolicy="no-referrer">
            {t("position.openPhoto")}
          </a>{" "}
          <span className="hint">{t("position.photoHint", { host: new URL(photo).host })}</span>
        </p>
      ) : null}
      {/* casestore decides; a closed case is the record as it was, and administrators work no case */}
      {user && user.role !== "admin" && detail.status !== "closed" ? <CorrectPosition detail={detail} position={position} onDone={onDone} /> : null}
    </section>
  );
}

/** A coordinate as typed: a decimal point or comma, within the given bound; null when it is not one. */
function coordinate(text: string, bound: number): number | null {
  const value = Number(text.trim().replace(",", "."));
  return text.trim() && Number.isFinite(value) && Math.abs(value) <= bound ? value : null;
}

/** "Rätta platsen": the address and the point as staff know them better, with why. */
function CorrectPosition({ detail, position, onDone }: { detail: CaseDetail; position: Position; onDone: () => Promise<void> }) {
  const { t } = useI18n();
  const [address, setAddress] = useState(position.address ?? "");
  const [lat, setLat] = useState(position.lat != null ? String(position.lat) : "");
  const [lon, setLon] = useState(position.lon != null ? String(position.lon) : "");
  const [reason, setReason] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const outcome = useOutcome();

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found: Record<string, string> = {};
    const placed = lat.trim() !== "" || lon.trim() !== "";
    const la = coordinate(lat, 90);
    const lo = coordinate(lon, 180);
    if (placed && la === null) found.lat = t("position.latInvalid");
    if (placed && lo === null) found.lon = t("position.lonInvalid");
    setErrors(found);
    if (focusFirstError(found, "position")) return;
    await outcome.attempt(async () => {
      const json = {
        address: address.trim() || null,
        location: placed ? { lat: la, lon: lo } : null,
        reason: reason.trim() || null,
      };
      await api<CaseDetail>(`/v1/cases/${encodeURIComponent(detail.ref)}/position`, { json });
      setReason("");
      await onDone();
      return t("position.corrected");
    });
  }

  return (
    <details className="action">
      <summary>{t("position.correct")}</summary>
      {outcome.alerts}
      <form onSubmit={submit} noValidate>
        <TextField id="position-address" label={t("position.address")} value={address} onChange={(e) => setAddress(e.target.value)} maxLength={500} autoComplete="off" />
        <TextField id="position-lat" label={t("position.lat")} hint={t("position.degreesHint")} error={errors.lat} value={lat} onChange={(e) => setLat(e.target.value)} inputMode="decimal" autoComplete="off" />
        <TextField id="position-lon" label={t("position.lon")} error={errors.lon} value={lon} onChange={(e) => setLon(e.target.value)} inputMode="decimal" autoComplete="off" />
        <TextArea id="position-reason" label={t("position.reason")} hint={t("position.reasonHint")} value={reason} onChange={(e) => setReason(e.target.value)} rows={2} maxLength={2000} />
        <button type="submit" className="button button--secondary" disabled={outcome.busy}>
          {t("position.save")}
        </button>
      </form>
    </details>
  );
}
