"""PII masking: positives in every grouping, hard negatives, and properties over random input."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import luhn

from helpline.compliance.pii import is_card_number, mask

CARDS = [
    "4111111111111111",  # Visa 16
    "4222222222222",  # Visa 13
    "5555555555554444",  # Mastercard
    "2223003122003222",  # Mastercard 2-series
    "378282246310005",  # Amex 15
    "6011111111111117",  # Discover
    "3530111333300000",  # JCB
    "6250941006528599",  # UnionPay 16
    "6759649826438453",  # Maestro
    "4000056655665556",
]


@pytest.mark.parametrize("card", CARDS)
@pytest.mark.parametrize("style", ["plain", "spaced4", "dashed4", "mixed", "amex"])
def test_cards_are_masked_in_any_grouping(card: str, style: str) -> None:
    if style == "plain":
        written = card
    elif style == "spaced4":
        written = " ".join(card[i : i + 4] for i in range(0, len(card), 4))
    elif style == "dashed4":
        written = "-".join(card[i : i + 4] for i in range(0, len(card), 4))
    elif style == "mixed":
        written = card[:4] + " " + card[4:8] + "-" + card[8:12] + " " + card[12:]
    else:
        written = card[:4] + " " + card[4:10] + " " + card[10:]
    out = mask(f"my card is {written}, thanks")
    assert out.kinds == ("card",)
    assert out.text == f"my card is [card ending {card[-4:]}], thanks"


@pytest.mark.parametrize(
    "text",
    [
        "4111 1111 1111 1111 exp 12/26 cvv 123",
        "cards 4111111111111111 and 5555555555554444",
        "4111-1111-1111-1111.",
        "(378282246310005)",
    ],
)
def test_cards_next_to_other_things(text: str) -> None:
    out = mask(text)
    assert "card" in out.kinds
    assert "1111 1111" not in out.text and "11111111" not in out.text and "28224631" not in out.text


@pytest.mark.parametrize(
    "text",
    [
        "order 1234567890123456",  # not Luhn-valid
        "order ORD-4111111111111111",  # glued to an identifier
        "tracking 1Z999AA10123456784",
        "call me at +1 415 555 2671",
        "call +44 20 7946 0958 or 020 7946 0958",
        "on 2026-11-23 at 05:46:11",
        "timestamp 20261123054611",
        "ts 202611230546",
        "epoch ms 1763876771000",
        "invoice 4111111111111112",  # one digit off
        "version 4.111.1111.1111",
        "ip 192.168.100.200",
        "amount 4111111.11",
        "8 digits 41111111",
        "uuid 123e4567-e89b-12d3-a456-426614174000",
        "20 digits 41111111111111111111",
    ],
)
def test_hard_negatives_are_left_alone(text: str) -> None:
    assert mask(text).text == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ssn 219-09-9998 please", "ssn [SSN redacted] please"),
        ("SSN: 219 09 9998", "SSN: [SSN redacted]"),
        ("my social security number is 219099998", "my social security number is [SSN redacted]"),
        ("ssn#219099998", "ssn#[SSN redacted]"),
    ],
)
def test_ssns_are_masked(text: str, expected: str) -> None:
    assert mask(text).text == expected


@pytest.mark.parametrize(
    "text",
    [
        "000-12-3456",  # area 000 never issued
        "666-12-3456",
        "900-12-3456",  # ITIN range
        "219-00-9998",  # group 00
        "219-09-0000",  # serial 0000
        "219-09 9998",  # mixed separators
        "order 219099998",  # bare nine digits without the word SSN
        "phone 415-555-2671",
    ],
)
def test_ssn_negatives(text: str) -> None:
    assert mask(text).text == text


@pytest.mark.parametrize(
    "iban",
    [
        "DE89 3704 0044 0532 0130 00",
        "GB82WEST12345698765432",
        "fr14 2004 1010 0505 0001 3m02 606",
        "NL91ABNA0417164300",
    ],
)
def test_ibans_are_masked(iban: str) -> None:
    out = mask(f"pay to {iban} today")
    assert out.text == "pay to [IBAN redacted] today"
    assert out.kinds == ("iban",)


@pytest.mark.parametrize(
    "text", ["DE89 3704 0044 0532 0130 01", "GB00WEST12345698765432", "XX12 3456 7890 1234"]
)
def test_iban_negatives(text: str) -> None:
    # The first one's digits happen to be a Luhn-valid 18-digit number, so the card detector
    # masks them: over-masking is the safe side. It must not pass as an IBAN, though.
    assert "iban" not in mask(text).kinds


def _card(rng: random.Random, length: int, first: str) -> str:
    body = first + "".join(rng.choice("0123456789") for _ in range(length - 2))
    return body + luhn.calc_check_digit(body)


@given(
    seed=st.integers(0, 2**32),
    length=st.integers(13, 19),
    first=st.sampled_from("3456"),
    sep=st.sampled_from(["", " ", "-"]),
    group=st.integers(3, 6),
    before=st.text(alphabet="abc xyz,.!?", max_size=20),
    after=st.text(alphabet="abc xyz,.!?", max_size=20),
)
@settings(max_examples=300)
def test_any_luhn_valid_card_is_masked(
    seed: int, length: int, first: str, sep: str, group: int, before: str, after: str
) -> None:
    card = _card(random.Random(seed), length, first)
    written = sep.join(card[i : i + group] for i in range(0, len(card), group))
    out = mask(f"{before} {written} {after}")
    assert card not in out.text.replace(" ", "").replace("-", "")
    assert f"[card ending {card[-4:]}]" in out.text


@given(st.text(max_size=300))
@settings(max_examples=300)
def test_masking_is_idempotent_and_never_grows_digits(text: str) -> None:
    once = mask(text)
    assert mask(once.text).text == once.text
    if not once.changed:
        assert once.text == text


def test_is_card_number_edges() -> None:
    assert is_card_number("4111111111111111")
    assert not is_card_number("411111111111")  # 12 digits
    assert not is_card_number("1111111111111117")  # no network starts with 1
    assert not is_card_number("41111111111111x1")
