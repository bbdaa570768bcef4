/**
 * The fault report's map: the citizen clicks, taps or drags a pin where the fault is, or — with the
 * keyboard — moves the map and puts the pin at its centre. Leaflet and its styles are loaded only
 * here (a chunk of their own). The map is never the only way: the address and coordinate fields of
 * the form carry the same, and when Leaflet or the tiles cannot be loaded the map says so and the
 * form works as before.
 */
import { useEffect, useRef, useState, type ReactNode } from "react";
import { useAnnounce } from "../../components/Announcer";
import { useI18n } from "../../i18n";
import "./FaultMap.css";
import type { PinMap } from "./leafletMap";
import { loadMapSettings } from "./mapSettings";

type State = "loading" | "ready" | "failed";

export function FaultMap({
  id,
  position,
  onPlace,
  children,
}: {
  id: string;
  /** The position in the form's fields, when they hold one. */
  position: { lat: number; lon: number } | null;
  onPlace: (lat: number, lon: number) => void;
  /** More buttons beside "Sätt nålen här" (the form's "Använd min position"). */
  children?: ReactNode;
}) {
  const { t, language } = useI18n();
  const announce = useAnnounce();
  const element = useRef<HTMLDivElement>(null);
  const map = useRef<PinMap | null>(null);
  const place = useRef(onPlace);
  const [state, setState] = useState<State>("loading");
  const [tilesFailed, setTilesFailed] = useState(false);

  useEffect(() => {
    place.current = onPlace;
  }, [onPlace]);

  // The map is made again when the language changes: its buttons and the pin speak it.
  useEffect(() => {
    let live = true;
    setState("loading");
    setTilesFailed(false);
    Promise.all([import("./leafletMap"), loadMapSettings()])
      .then(([leaflet, settings]) => {
        if (!live || !element.current) return;
        map.current = leaflet.createPinMap(
          element.current,
          settings,
          { pin: t("map.pin"), zoomIn: t("map.zoomIn"), zoomOut: t("map.zoomOut") },
          { place: (lat, lon) => place.current(lat, lon), tiles: (showing) => live && setTilesFailed(!showing) },
        );
        setState("ready");
      })
      .catch(() => live && setState("failed"));
    return () => {
      live = false;
      map.current?.destroy();
      map.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [language]);

  const lat = position?.lat;
  const lon = position?.lon;
  useEffect(() => {
    if (lat === undefined || lon === undefined) map.current?.clearPin();
    else map.current?.setPin(lat, lon);
  }, [lat, lon, state]);

  function placeHere() {
    if (!map.current) return;
    const [centreLat, centreLon] = map.current.centre();
    onPlace(centreLat, centreLon);
    announce(t("map.pinPlaced"));
  }

  const unavailable = state === "failed" || tilesFailed;
  return (
    <div className="fault-map">
      <p className="hint" id={`${id}-hint`}>
        {t("map.hint")}
      </p>
      <div className={`fault-map__frame${state === "failed" ? " fault-map__frame--failed" : ""}`}>
        <div
          ref={element}
          id={id}
          className="fault-map__canvas"
          role="region"
          aria-label={t("map.label")}
          aria-describedby={`${id}-hint`}
          dir="ltr"
          hidden={state === "failed"}
        />
        {/* Only the failure is announced; "loading" is for the eyes, and brief. */}
        <p className="fault-map__notice" role="status">
          {unavailable ? t("map.unavailable") : ""}
        </p>
        {state === "loading" && !unavailable ? <p className="fault-map__notice">{t("map.loading")}</p> : null}
      </div>
      <div className="button-row">
        {state === "ready" ? (
          <button type="button" className="button button--secondary" onClick={placeHere}>
            {t("map.placeHere")}
          </button>
        ) : null}
        {children}
      </div>
    </div>
  );
}
