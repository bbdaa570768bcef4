"""Local accounts and the token endpoint's password check.

Accounts live in the casestore database with Argon2 password hashes (pwdlib). In dev mode the demo
accounts of the README are created at start-up; outside dev mode none exist until an administrator
adds them (or people log in through the municipality's identity provider).
"""

from __future__ import annotations

from dataclasses import dataclass

from pwdlib import PasswordHash

from lotsen.auth import Role

DEMO_PASSWORD = "lotsen-demo"
_hasher = PasswordHash.recommended()


@dataclass(frozen=True)
class Account:
    username: str
    role: Role
    departments: tuple[str, ...] = ()
    organizations: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    """the languages the person answers citizens in: a skill, not a permission"""


# Karlskoga's contact centre answers for Degerfors kommun and Karlskogahem too; the departments'
# handlers work for their own organisation.
CONTACT_CENTRE = ("karlskoga", "degerfors", "karlskogahem")
DEMO_ACCOUNTS = (
    Account("agent", "agent", organizations=CONTACT_CENTRE, languages=("sv", "en")),
    Account("agent-arabiska", "agent", organizations=CONTACT_CENTRE, languages=("sv", "ar")),
    Account("handler", "handler", departments=("samhallsbyggnad", "skola"), organizations=("karlskoga",)),
    Account("handler-degerfors", "handler", departments=("social",), organizations=("degerfors",)),
    Account("supervisor", "supervisor", organizations=CONTACT_CENTRE, languages=("sv", "en")),
    Account("admin", "admin"),
)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(password: str, password_hash: str) -> bool:
    return _hasher.verify(password, password_hash)


# Verifying against this when the user does not exist keeps the answer time the same either way.
UNKNOWN_USER_HASH = hash_password("an account that does not exist")
