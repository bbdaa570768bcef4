"""The demo staff directory loaded at start-up in dev: invented people of the demo organisations.

Names, numbers and addresses are made up (numbers in the organisations' own demo series, addresses
on ``.example`` domains). The demo account ``handler`` is linked to Åsa Öberg, so logging in as
``handler`` shows setting one's own absence note.
"""

from __future__ import annotations

from typing import Any

Person = dict[str, Any]


def _p(name: str, title: str, department: str, phone: str, domain: str, *kinds: str, **extra: Any) -> Person:
    first, _, last = name.partition(" ")
    local = f"{first}.{last}".lower().translate(str.maketrans("åäöé ", "aaoe.", ""))
    return {
        "name": name,
        "title": title,
        "department": department,
        "phone": phone,
        "email": f"{local}@{domain}",
        "errand_types": list(kinds),
        **extra,
    }


_KGA = "karlskoga.example"
_DEG = "degerfors.example"
_KHEM = "karlskogahem.example"

DEMO_STAFF: dict[str, list[Person]] = {
    "karlskoga": [
        _p(
            "Åsa Öberg",
            "Bygglovshandläggare",
            "samhallsbyggnad",
            "0586-610 42",
            _KGA,
            "bygglov",
            "strandskydd",
            account="handler",
        ),
        _p(
            "Anders Lindqvist",
            "Bygglovsarkitekt",
            "samhallsbyggnad",
            "0586-610 43",
            _KGA,
            "bygglov",
            "rivningslov",
        ),
        _p("Ömer Yilmaz", "Miljöinspektör", "samhallsbyggnad", "0586-610 51", _KGA, "livsmedel", "avlopp"),
        _p(
            "Ellinor Ärlebäck",
            "Miljöinspektör",
            "samhallsbyggnad",
            "0586-610 52",
            _KGA,
            "buller",
            "miljötillsyn",
        ),
        _p(
            "Zacharias Wikström",
            "Gatuingenjör",
            "samhallsbyggnad",
            "0586-610 60",
            _KGA,
            "gata",
            "snöröjning",
            "parkering",
        ),
        _p("Karin Nyström", "Nämndsekreterare", "samhallsbyggnad", "0586-610 30", _KGA, "diarium"),
        _p("Björn Åkesson", "Enhetschef socialtjänst", "social", "0586-612 00", _KGA, "försörjningsstöd"),
        _p(
            "Fatima Hassan",
            "Socialsekreterare",
            "social",
            "0586-612 14",
            _KGA,
            "försörjningsstöd",
            "ekonomiskt bistånd",
        ),
        _p(
            "Leila Andrén", "Biståndshandläggare", "social", "0586-612 21", _KGA, "hemtjänst", "trygghetslarm"
        ),
        _p("Per-Olof Ek", "Avgiftshandläggare", "social", "0586-612 30", _KGA, "avgifter omsorg"),
        _p("Ingrid Östlund", "Rektor", "skola", "0586-614 10", _KGA, "skolplacering"),
        _p(
            "Johan Adolfsson",
            "Handläggare förskola",
            "skola",
            "0586-614 22",
            _KGA,
            "förskoleplats",
            "barnomsorg",
        ),
        _p("Maja Eriksson", "Skolskjutssamordnare", "skola", "0586-614 31", _KGA, "skolskjuts"),
        _p(
            "Sven Ångström",
            "Fritidskonsulent",
            "kultur",
            "0586-616 05",
            _KGA,
            "föreningsbidrag",
            "lokalbokning",
        ),
        _p("Elin Zetterlund", "Bibliotekarie", "kultur", "0586-616 20", _KGA, "bibliotek"),
        _p("Hanna Berg", "Folkhälsostrateg", "folkhalsa", "0586-618 02", _KGA, "folkhälsa"),
        _p("Oscar Vikström", "Kommunikatör", "ledningskontoret", "0586-619 11", _KGA, "press", "webb"),
        _p(
            "Agneta Älvström",
            "Registrator",
            "ledningskontoret",
            "0586-619 20",
            _KGA,
            "allmänna handlingar",
            "diarium",
        ),
    ],
    "degerfors": [
        _p("Lars Öhman", "Bygglovshandläggare", "samhallsbyggnad", "0586-470 31", _DEG, "bygglov"),
        _p(
            "Sofia Åberg",
            "Miljö- och hälsoskyddsinspektör",
            "samhallsbyggnad",
            "0586-470 35",
            _DEG,
            "avlopp",
            "livsmedel",
        ),
        _p(
            "Mikael Andersson", "Socialsekreterare", "social", "0586-470 50", _DEG, "familjerätt", "faderskap"
        ),
        _p("Emma Ärnström", "Biståndshandläggare", "social", "0586-470 52", _DEG, "hemtjänst"),
        _p("Nils Zander", "Rektor", "skola", "0586-470 70", _DEG, "skolplacering", "förskoleplats"),
        _p("Ulla Strand", "Kulturchef", "kultur", "0586-470 80", _DEG, "föreningsbidrag"),
    ],
    "karlskogahem": [
        _p("Camilla Örn", "Kundtjänst", "uthyrning", "0586-670 10", _KHEM, "bostadskö", "uppsägning"),
        _p(
            "Tomas Åslund", "Fastighetsskötare", "fastighet", "0586-670 40", _KHEM, "felanmälan", "tvättstuga"
        ),
        _p("Rebecka Alm", "Förvaltare", "fastighet", "0586-670 41", _KHEM, "störningar", "felanmälan"),
        _p("David Ek", "Uthyrare", "uthyrning", "0586-670 12", _KHEM, "bostadskö", "hyresavi"),
    ],
}
