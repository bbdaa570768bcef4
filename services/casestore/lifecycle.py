"""Which status changes a case may make (DESIGN §7).

``new → open → pending_citizen ↔ open → handed_off → (returned) open → resolved → closed``;
a citizen reply reopens a resolved case; a closed case is never reopened (a new linked case is).
"""

from __future__ import annotations

from lotsen.errors import Conflict

ACTIONS: dict[str, tuple[frozenset[str], str | None]] = {
    # action: (statuses it may start from, status it leads to; None keeps the status)
    "assign": (frozenset({"new", "open", "pending_citizen", "handed_off"}), None),
    "reply": (frozenset({"new", "open", "pending_citizen", "handed_off", "resolved"}), None),
    "note": (frozenset({"new", "open", "pending_citizen", "handed_off", "resolved", "closed"}), None),
    "pending": (frozenset({"new", "open"}), "pending_citizen"),
    "handoff": (frozenset({"new", "open", "pending_citizen"}), "handed_off"),
    "return": (frozenset({"handed_off"}), "open"),
    "resolve": (frozenset({"new", "open", "pending_citizen", "handed_off"}), "resolved"),
    "close": (frozenset({"resolved"}), "closed"),
    "reopen": (frozenset({"resolved"}), "open"),
    "citizen_reply": (frozenset({"new", "open", "pending_citizen", "handed_off", "resolved"}), None),
    "link": (frozenset({"new", "open", "pending_citizen", "handed_off", "resolved", "closed"}), None),
    # a duplicate is closed into the case that carries the errand on; that case keeps its status
    "merge": (frozenset({"new", "open", "pending_citizen", "handed_off", "resolved"}), "closed"),
    "absorb": (frozenset({"new", "open", "pending_citizen", "handed_off", "resolved"}), None),
    # correcting the category; a closed case is the record as it was
    "recategorise": (frozenset({"new", "open", "pending_citizen", "handed_off", "resolved"}), None),
    # correcting where the errand is; a closed case is the record as it was
    "position": (frozenset({"new", "open", "pending_citizen", "handed_off", "resolved"}), None),
}

# What happens to a case without anyone choosing it as an action on that case.
_IMPLIED = ("citizen_reply", "absorb")


class IllegalTransition(Conflict):
    code = "illegal_transition"


def allowed_actions(status: str) -> list[str]:
    return sorted(a for a, (sources, _) in ACTIONS.items() if status in sources and a not in _IMPLIED)


def check(action: str, status: str) -> None:
    sources, _ = ACTIONS[action]
    if status not in sources:
        raise IllegalTransition(
            f"a case that is {status} cannot be {_past(action)}",
            details={"status": status, "allowed": allowed_actions(status)},
        )


def next_status(action: str, status: str) -> str:
    """The status after ``action``; a first touch moves a new case to open."""
    check(action, status)
    _, target = ACTIONS[action]
    if target is not None:
        return target
    if action == "citizen_reply":
        return "open" if status in ("pending_citizen", "resolved") else status
    if status == "new" and action in ("assign", "reply"):
        return "open"
    return status


def _past(action: str) -> str:
    return {
        "assign": "assigned",
        "reply": "replied to",
        "note": "annotated",
        "pending": "set to wait for the citizen",
        "handoff": "handed off",
        "return": "returned",
        "resolve": "resolved",
        "close": "closed",
        "reopen": "reopened",
        "link": "linked",
        "citizen_reply": "replied to by the citizen",
        "merge": "merged into another case",
        "absorb": "merged into",
        "recategorise": "recategorised",
        "position": "given a corrected position",
    }[action]
