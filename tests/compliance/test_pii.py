"""PII masking: positives in every grouping, hard negatives, and properties over random input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import iban as stdnum_iban
from stdnum import luhn

from helpline.compliance.pii import NETWORKS, Masked, card_network, is_card_number, mask
from tests.compliance.pii_corpus import compact

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


SEPARATORS = [" ", "-", ".", "  ", "   ", " - ", " . ", "\u00a0", "\u2013"]


@pytest.mark.parametrize("card", CARDS)
@pytest.mark.parametrize("sep", SEPARATORS)
@pytest.mark.parametrize("grouping", ["4-4-4-4", "4-6-5", "block", "mixed"])
def test_cards_are_masked_in_any_grouping(card: str, sep: str, grouping: str) -> None:
    if grouping == "block":
        written = card
    elif grouping == "4-4-4-4":
        written = sep.join(card[i : i + 4] for i in range(0, len(card), 4))
    elif grouping == "mixed":
        written = card[:4] + sep + card[4:8] + "-" + card[8:12] + " " + card[12:]
    else:
        written = card[:4] + sep + card[4:10] + sep + card[10:]
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
        "IMEI 490154203237518",  # Luhn-valid, 15 digits, but no network issues 15 digits at 49
        "35-209900-176148-1",
        "30056702 026986 1",  # TAC, serial, check digit: the first two groups pass as Diners
        "IMEISV 3530069073662585",  # JCB-shaped and Luhn-valid, but labelled
        "tracking number: 377101283611590",
        "FedEx 403934084723025",  # Luhn-valid, 15 digits, starts with 4
        "USPS 9405 5036 9930 0012 3456 78",
        "+49 151 2345 6789",
        "49 151 2345 6789",
        "10.0.0.1 10.0.0.2 10.0.0.3 10.0.0.4",
        "account EE41 2398 5355 2049 4221",  # a broken IBAN, not a Mastercard
        "2026.11.23 05.46.11 2026.11.24",
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


@pytest.mark.parametrize(
    ("digits", "network"),
    [
        ("4222222222222", "visa"),
        ("4111111111111111", "visa"),
        ("4111111111111111110", "visa"),
        ("5555555555554444", "mastercard"),
        ("2221000000000009", "mastercard"),
        ("2720990000000007", "mastercard"),
        ("378282246310005", "amex"),
        ("3530111333300000", "jcb"),
        ("3589000000000003", "jcb"),
        ("30569309025904", "diners"),
        ("6011111111111117", "discover"),
        ("6250941006528599", "unionpay"),
        ("6759649826438453", "maestro"),
        ("675964982648", "maestro"),
        ("2200000000000004", "mir"),
    ],
)
def test_issuer_prefix_and_length_decide_the_network(digits: str, network: str) -> None:
    assert card_network(digits) == network
    assert is_card_number(digits)


@pytest.mark.parametrize(
    "digits",
    [
        "411111111111116",  # Visa at 15
        "3782822463100003",  # Amex at 16
        "2220990000000002",  # just below Mastercard's 2-series
        "2721000000000004",  # just above
        "3527000000000008",  # below JCB 3528
        "3590000000000000",  # above JCB 3589
        "356938035643809",  # a Luhn-valid IMEI
        "560000000003",  # Maestro's wide range at 12 digits
        "9400111899223344551",  # no network starts with 9
    ],
)
def test_wrong_length_or_prefix_is_not_a_card(digits: str) -> None:
    assert luhn.is_valid(digits)
    assert not is_card_number(digits)


def _prefix(draw: st.DrawFn, low: str, high: str) -> str:
    return str(draw(st.integers(int(low), int(high)))).zfill(len(low))


_SUPPORTED_SEPS = st.sampled_from([" ", "-", ".", "  ", " - ", " . ", "\u00a0", " -"])


@st.composite
def written_cards(draw: st.DrawFn) -> tuple[str, str]:
    """A Luhn-valid number of a real network, written in a grouping people use."""
    _, low, high, lengths = draw(st.sampled_from(NETWORKS))
    length = draw(st.sampled_from(sorted(lengths)))
    body = _prefix(draw, low, high)
    body += "".join(
        draw(
            st.lists(
                st.sampled_from("0123456789"),
                min_size=length - len(body) - 1,
                max_size=length - len(body) - 1,
            )
        )
    )
    number = body + luhn.calc_check_digit(body)
    sizes = draw(st.sampled_from([[length], [4] * 5, [4, 6, 5, 4], [6] * 4, [3] * 7, [5] * 4]))
    groups, at = [], 0
    for size in sizes:
        if at < length:
            groups.append(number[at : at + size])
            at += size
    if at < length:
        groups.append(number[at:])
    same = draw(st.booleans())
    sep = draw(_SUPPORTED_SEPS)
    written = groups[0]
    for group in groups[1:]:
        written += (sep if same else draw(_SUPPORTED_SEPS)) + group
    return number, written


_PROSE = st.text(alphabet="abc xyz,!?", max_size=20)


@given(card=written_cards(), before=_PROSE, after=_PROSE)
@settings(max_examples=500)
def test_any_card_of_a_real_network_is_masked(
    card: tuple[str, str], before: str, after: str
) -> None:
    number, written = card
    out = mask(f"{before} {written} {after}")
    assert number not in compact(out.text)
    assert f"[card ending {number[-4:]}]" in out.text
    assert out.kinds == ("card",)
    assert mask(out.text) == Masked(out.text, ())


@given(
    tac=st.sampled_from(["35", "86", "01", "49", "99", "98", "91", "45", "44", "33", "30", "10"]),
    rest=st.text(alphabet="0123456789", min_size=12, max_size=12),
    layout=st.sampled_from(["{}", "{0:.2}-{1}-{2}-{3}", "{0:.8} {2} {3}", "{0:.2} {1} {2} {3}"]),
)
@settings(max_examples=300)
def test_a_luhn_valid_imei_is_never_a_card(tac: str, rest: str, layout: str) -> None:
    body = tac + rest
    imei = body + luhn.calc_check_digit(body)
    written = imei if layout == "{}" else layout.format(imei, imei[2:8], imei[8:14], imei[14])
    assert mask(f"phone {written} ok").kinds == ()


@given(st.text(alphabet=st.characters(blacklist_categories=["Nd"]), max_size=300))
def test_text_without_digits_is_unchanged(text: str) -> None:
    assert mask(text) == Masked(text, ())


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


def _with_broken_national_check(iban: str) -> str:
    """Change the BBAN's last digit and recompute only the ISO mod-97 digits."""
    compact_iban = iban.replace(" ", "")
    bban = compact_iban[4:-1] + str((int(compact_iban[-1]) + 1) % 10)
    return compact_iban[:2] + stdnum_iban.calc_check_digits(compact_iban[:2] + "00" + bban) + bban


@pytest.mark.parametrize(
    "valid", ["BE68 5390 0754 7034", "ES91 2100 0418 4502 0005 1332", "NO93 8601 1117 947"]
)
def test_an_iban_is_masked_when_mod97_holds_but_the_national_check_fails(valid: str) -> None:
    iban = _with_broken_national_check(valid)
    assert not stdnum_iban.is_valid(iban)
    assert stdnum_iban.is_valid(iban, check_country=False)
    spaced = stdnum_iban.format(iban)
    for written in (iban, spaced, spaced.replace(" ", "-"), iban.lower()):
        assert mask(f"IBAN {written}.") == Masked("IBAN [IBAN redacted].", ("iban",))


def test_an_iban_is_cut_at_its_country_length() -> None:
    out = mask("NO93 8601 1117 947 12 and DE89370400440532013000 33")
    assert out.text == "[IBAN redacted] 12 and [IBAN redacted] 33"


@pytest.mark.parametrize(
    "text",
    [
        "IMEI 3530 1113 3330 0000",
        "tracking number: 3530111333300000",
        "FedEx #3530111333300000",
        "parcel 3530-1113-3330-0000",
    ],
)
def test_a_device_or_shipping_label_says_the_number_is_not_a_card(text: str) -> None:
    assert mask(text).text == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4111 1111 1111 1111 12 26", "[card ending 1111] 12 26"),
        ("4111 1111 1111 1111 1226", "[card ending 1111] 1226"),
        ("12 26 4111 1111 1111 1111", "12 26 [card ending 1111]"),
        ("4111111111111111 5555555555554444", "[card ending 1111] [card ending 4444]"),
        ("paid 40. 4111 1111 1111 1111", "paid 40. [card ending 1111]"),
        ("\uff14\uff11\uff11\uff11 1111 1111 1111", "[card ending 1111]"),
    ],
)
def test_cards_among_other_digits(text: str, expected: str) -> None:
    assert mask(text).text == expected
