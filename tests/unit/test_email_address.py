"""``EmailAddress`` answers exactly as pydantic's ``EmailStr``: the same address, or the same refusal."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, EmailStr, ValidationError

from lotsen.email_address import EmailAddress, _domain


class Ours(BaseModel):
    email: EmailAddress


class Theirs(BaseModel):
    email: EmailStr


def verdict(model: type[BaseModel], value: str) -> tuple[str, str]:
    try:
        return "ok", model.model_validate({"email": value}).email  # type: ignore[attr-defined]
    except ValidationError as exc:
        (error,) = exc.errors(include_url=False)
        return error["type"], error["msg"]


@pytest.mark.parametrize(
    "value",
    [
        "erik@example.se",
        "Erik.Nilsson+kommun@Example.SE",
        "anna_o'hara@post.karlskoga.se",
        "Postmaster@karlskoga.se",  # a mailbox name email-validator lowercases
        "a@xn--bcher-kva.se",  # IDNA domain, normalised to Unicode
        "åsa@exempel.se",
        "erik@exämpel.se",
        "Erik Nilsson <erik@example.se>",
        '"erik nilsson"@example.se',
        "erik@@example.se",
        "erik@example",
        "erik@localhost",
        "erik@example.local",
        "erik@-example.se",
        "erik@example..se",
        ".erik@example.se",
        "erik.@example.se",
        "erik@[192.168.0.1]",
        "erik",
        "@example.se",
        "erik@",
        "e" * 64 + "@example.se",
        "e" * 65 + "@example.se",
        "e" * 60 + "@" + ("d" * 60 + ".") * 4 + "se",
        "erik@" + "d" * 64 + ".se",
        " erik@example.se ",
        "erik@example.se\n",
    ],
)
def test_known_addresses_get_emailstrs_answer(value: str) -> None:
    assert verdict(Ours, value) == verdict(Theirs, value)


def test_a_domain_refused_once_is_refused_again() -> None:
    first = verdict(Ours, "erik@example.invalid")
    assert first[0] == "value_error" and first == verdict(Ours, "anna@example.invalid")


def test_a_domain_is_checked_once_for_all_its_addresses() -> None:
    _domain.cache_clear()
    for n in range(5):
        verdict(Ours, f"person{n}@kommun.example.se")
    assert _domain.cache_info().misses == 1 and _domain.cache_info().hits == 4


def test_schema_says_it_is_an_email_address() -> None:
    assert Ours.model_json_schema()["properties"]["email"] == {
        "format": "email",
        "title": "Email",
        "type": "string",
    }


_PIECES = st.sampled_from(
    [
        "erik",
        "Anna",
        "x",
        ".",
        "..",
        "-",
        "_",
        "+",
        "@",
        "se",
        "com",
        "local",
        "xn--bcher-kva",
        "å",
        "é",
        " ",
        '"',
        "<",
        ">",
        "[",
        "]",
        "1",
        "123",
        "\\",
        "postmaster",
        "example",
        "d" * 63,
    ]
)


@settings(max_examples=600, deadline=None)
@given(st.lists(_PIECES, max_size=12).map("".join))
def test_any_input_gets_emailstrs_answer(value: str) -> None:
    assert verdict(Ours, value) == verdict(Theirs, value)


@settings(max_examples=300, deadline=None)
@given(st.emails())
def test_valid_looking_addresses_get_emailstrs_answer(value: str) -> None:
    assert verdict(Ours, value) == verdict(Theirs, value)
