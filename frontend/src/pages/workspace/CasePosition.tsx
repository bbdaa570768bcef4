/** Where the errand is: the address, WGS 84 and SWEREF 99 TM coordinates, the place on OpenStreetMap,
 *  and the sender's photo link (opened in a new tab, never shown inline from an unknown host). */
import { formatInteger } from "../../format";
import { useI18n } from "../../i18n";
import type { CasePosition as Position } from "../../types";

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

export function CasePosition({ position }: { position: Position | null | undefined }) {
  const { t } = useI18n();
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
    </section>
  );
}
