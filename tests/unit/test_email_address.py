"""``EmailAddress`` answers exactly as pydantic's ``EmailStr`` does for the address with its harmless
mistakes mended (surrounding white space and angle brackets, the domain's trailing dot): the same
address, or the same refusal. ``reply_address`` decides the same, and says why instead of refusing."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, EmailStr, ValidationError

from lotsen.email_address import EmailAddress, _domain, fixed_email, reply_address


class Ours(BaseModel):
    email: EmailAddress


class Theirs(BaseModel):
    email: EmailStr


def verdict(model: type[BaseModel], value: str) -> tuple[str, str]:
    if model is Theirs:
        value = fixed_email(value)
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


@pytest.mark.parametrize(
    ("given", "answered"),
    [
        ("name@yahoo.com.", "name@yahoo.com"),
        ("  <Erik@Example.SE.>\n", "Erik@example.se"),
        ("erik@xn--bcher-kva.se", "erik@bücher.se"),
    ],
)
def test_an_address_a_reply_would_fail_on_is_mended(given: str, answered: str) -> None:
    assert Ours.model_validate({"email": given}).email == answered
    assert reply_address(given).address == answered


@pytest.mark.parametrize(
    ("given", "problem"),
    [
        ("name@yahoo.com..", "period"),
        ("erik@example.se\r\nBcc: all@example.se", "line feed"),
        ("erik@localhost", "period"),
        ("e" * 600 + "@example.se", "longer than 254"),
        ("", "no address"),
    ],
)
def test_an_address_no_reply_can_go_to_is_named_with_why(given: str, problem: str) -> None:
    with pytest.raises(ValidationError):
        Ours.model_validate({"email": given})
    answer = reply_address(given)
    assert answer.address is None and answer.problem is not None and problem in answer.problem


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
