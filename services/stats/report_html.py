"""A department's report as one readable Swedish HTML page: the same numbers as its CSV rows, in
tables, with bar charts drawn as inline SVG.

The page stands alone in a mail client: no scripts, no style sheets or images fetched from
elsewhere, no links out; every name and key from the data is escaped. Each chart has its numbers in
a table beside it (screen readers, and readers who print in black and white). Numbers are written
the Swedish way: ``94,5 %``, ``4,3``; a figure with nothing to divide by is ``–``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

MONTHS = (
    "januari", "februari", "mars", "april", "maj", "juni",
    "juli", "augusti", "september", "oktober", "november", "december",
)  # fmt: skip
CHANNELS = {
    "email": "E-post",
    "webform": "Webbformulär",
    "facebook": "Facebook",
    "phone": "Telefon",
    "visit": "Besök",
    "letter": "Brev",
    "open311": "Felanmälningsapp (Open311)",
}
AGES = {"0-2": "0–2 dagar", "3-7": "3–7 dagar", "8-30": "8–30 dagar", "over-30": "över 30 dagar"}
NONE = "–"
STYLE = (
    "body{font-family:Arial,Helvetica,sans-serif;color:#1a1a1a;max-width:46em;margin:1em auto;padding:0 1em}"
    "h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}"
    "table{border-collapse:collapse;margin:.5em 0}"
    "th,td{border:1px solid #999;padding:.25em .6em;text-align:left}"
    "td.n{text-align:right}caption{text-align:left;font-weight:bold;padding:.3em 0}"
)


def local_date(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def number(value: Any, decimals: int = 1) -> str:
    """``1234`` → ``1234``, ``4.25`` → ``4,3``; None → ``–``."""
    if value is None:
        return NONE
    if isinstance(value, int):
        return str(value)
    return f"{value:.{decimals}f}".replace(".", ",")


def percent(share: float | None) -> str:
    return NONE if share is None else f"{number(share * 100)} %"


def met(value: bool | None) -> str:
    return {True: "Ja", False: "Nej", None: NONE}[value]


def table(caption: str, head: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A table; the first column is text, the others right-aligned numbers (all already escaped)."""
    th = "".join(f'<th scope="col">{escape(h)}</th>' for h in head)
    body = "".join(
        "<tr>"
        + f'<th scope="row">{row[0]}</th>'
        + "".join(f'<td class="n">{c}</td>' for c in row[1:])
        + "</tr>"
        for row in rows
    )
    return (
        f"<table><caption>{escape(caption)}</caption>"
        f"<thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"
    )


def bar_chart(title: str, bars: Sequence[tuple[str, int]]) -> str:
    """Horizontal bars, one per (label, count), scaled to the largest; labels and counts as text."""
    width, label_width, bar_height, gap = 560, 170, 22, 8
    top = max((value for _, value in bars), default=0) or 1
    height = len(bars) * (bar_height + gap) + gap
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-label="{escape(title, quote=True)}">',
        f"<title>{escape(title)}</title>",
    ]
    span = width - label_width - 60
    for i, (label, value) in enumerate(bars):
        y = gap + i * (bar_height + gap)
        length = round(span * value / top)
        parts += [
            f'<text x="{label_width - 8}" y="{y + 16}" text-anchor="end" font-size="13" '
            f'font-family="Arial,Helvetica,sans-serif">{escape(label)}</text>',
            f'<rect x="{label_width}" y="{y}" width="{length}" height="{bar_height}" fill="#2f6f9f"/>',
            f'<text x="{label_width + length + 6}" y="{y + 16}" font-size="13" '
            f'font-family="Arial,Helvetica,sans-serif">{value}</text>',
        ]
    parts.append("</svg>")
    return "".join(parts)


def figure_rows(entry: dict[str, Any]) -> list[list[str]]:
    email, resolution = entry["email_response"], entry["resolution"]
    satisfaction, failure, backlog = entry["satisfaction"], entry["failure_demand"], entry["backlog"]
    rows = [
        ["Ärenden", str(entry["cases"]), NONE, NONE],
        [
            "E-post besvarad i tid",
            percent(email["share"]),
            percent(email["target"]),
            met(email["met"]),
        ],
        [
            "Lösningsgrad i första linjen",
            percent(resolution["rate"]),
            percent(resolution["target"]),
            met(resolution["met"]),
        ],
    ]
    for question, name in (
        ("bemotande", "bemötande"),
        ("kunskap", "kunskap"),
        ("tillganglighet", "tillgänglighet"),
    ):
        score = satisfaction[question]
        rows.append([f"NKI {name} (1–5)", number(score["mean"]), number(score["target"]), met(score["met"])])
    rows += [
        ["Onödig efterfrågan", percent(failure["share"]), NONE, NONE],
        ["Öppna ärenden nu", str(backlog["open"]), NONE, NONE],
        ["Överlämnade, tiden passerad", str(backlog["handed_off_past_due"]), NONE, NONE],
    ]
    return rows


def render_report(
    *,
    organization: str,
    department: str,
    kind: str,
    period: str,
    first: date,
    last: date,
    as_of: datetime,
    tz: ZoneInfo,
    entry: dict[str, Any] | None,
    omitted_reason: str | None = None,
) -> str:
    """The page; ``entry`` is the department's part of the tertial report (None: no cases)."""
    name = "Tertialrapport" if kind == "tertial" else "Månadsrapport"
    title = f"{name} {period}: {department}"
    stamp = as_of.astimezone(tz)
    intro = (
        f"<p>{escape(department)}, {escape(organization)}. "
        f"Perioden {local_date(first)} – {local_date(last)}, "
        f"ärenden räknade efter den dag de kom in. Siffrorna gäller {local_date(stamp.date())} "
        f"kl. {stamp:%H.%M}. Definitionerna finns i Lotsens dokumentation om nyckeltalen.</p>"
    )
    sections = [f"<h1>{escape(title)}</h1>", intro]
    if omitted_reason is not None:
        sections.append(f"<p>{escape(omitted_reason)}</p>")
    elif entry is None or not entry["cases"]:
        sections.append("<p><strong>Inga ärenden till förvaltningen under perioden.</strong></p>")
    else:
        sections += department_sections(entry)
    body = "\n".join(sections)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="sv">\n'
        f'<head><meta charset="utf-8"><title>{escape(title)}</title><style>{STYLE}</style></head>\n'
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def department_sections(entry: dict[str, Any]) -> list[str]:
    email = entry["email_response"]
    channels = [(CHANNELS.get(str(row["key"]), str(row["key"])), row["count"]) for row in entry["by_channel"]]
    ages = [(AGES.get(band, band), n) for band, n in entry["backlog"]["by_age"].items()]
    charging = entry["charging"]
    synpunkter = entry["synpunkter"]
    sections = [
        "<h2>Nyckeltal</h2>",
        table("Nyckeltal för perioden", ("Nyckeltal", "Värde", "Mål", "Uppfyllt"), figure_rows(entry)),
        "<p>E-post: "
        f"{email['in_time']} besvarade i tid, {email['answered_late']} sent, "
        f"{email['unanswered_past_deadline']} obesvarade efter tidsgränsen, {email['pending']} väntar ännu "
        f"(av {email['emails']}).</p>",
        "<h2>Ärenden per kanal</h2>",
        bar_chart("Ärenden per kanal", channels),
        table("Ärenden per kanal", ("Kanal", "Ärenden"), [(escape(k), str(n)) for k, n in channels]),
        "<h2>Öppna ärenden efter ålder</h2>",
        bar_chart("Öppna ärenden efter ålder", ages),
        table("Öppna ärenden efter ålder", ("Ålder", "Ärenden"), [(escape(k), str(n)) for k, n in ages]),
    ]
    if charging:
        sections += [
            "<h2>Lösta i första linjen, per månad (debitering)</h2>",
            bar_chart("Lösta i första linjen per månad", [(row["month"], row["count"]) for row in charging]),
            table(
                "Lösta i första linjen per månad",
                ("Månad", "Lösta i första linjen", "Ännu inte avgjorda"),
                [(escape(row["month"]), str(row["count"]), str(row["pending"])) for row in charging],
            ),
        ]
    sections.append(f"<h2>Synpunkter</h2><p>{synpunkter['count']} synpunkter under perioden.</p>")
    if synpunkter["refs"]:
        items = "".join(f"<li>{escape(str(ref))}</li>" for ref in synpunkter["refs"])
        sections.append(f"<ul>{items}</ul>")
    return sections
