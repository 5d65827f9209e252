"""A labelled corpus for PII masking, and how it is scored.

Two parts: hand-written sentences (readable, taken from the formats people really type and from
the issuers' published test numbers) and generated ones (a fixed seed, so the corpus is the same
on every run). Every generated positive is a real number of its kind: issuer prefix and length
from the network's table and a Luhn check digit; an IBAN built to its country's format with
computed mod-97 digits. Every generated negative carries its own real check digit where the
format has one (IMEI Luhn, UPS, FedEx, USPS, DHL, S10), so "checksum-valid" alone proves nothing.

Run ``python -m tests.compliance.pii_corpus`` to print the table published in docs/security.md.
"""

from __future__ import annotations

import random
import re
import string
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from stdnum import iban as stdnum_iban
from stdnum import luhn, numdb

from helpline.compliance.pii import mask

KINDS = ("card", "ssn", "iban")


@dataclass(frozen=True)
class Case:
    text: str
    kind: str | None  # what must be masked, or None for a hard negative
    category: str  # "card:visa", "iban:national check fails", "imei", "tracking:usps", ...
    secret: str = ""  # the value, compact: a positive's must not survive masking


def compact(text: str) -> str:
    return "".join(c for c in text if c.isalnum()).upper()


# --- hand-written ------------------------------------------------------------------------------

HAND_CARDS = [
    # (network, the number, how it was written)
    ("visa", "4111111111111111", "my card is 4111 1111 1111 1111, thanks"),
    ("visa", "4012888888881881", "Card: 4012-8888-8888-1881 exp 04/27"),
    ("visa", "4242424242424242", "visa 4242.4242.4242.4242 cvc 123"),
    ("visa", "4222222222222", "the old one was 4222222222222"),
    ("visa", "4000056655665556", "4000 0566 5566 5556"),
    ("visa", "4111111111111111", "card 4111 - 1111 - 1111 - 1111 please"),
    ("visa", "4111111111111111", "it's 4111  1111  1111  1111."),
    ("visa", "4111111111111111", "4111 1111 1111 1111 12 26"),
    ("visa", "4111111111111111", "4111 1111 1111 1111 123"),
    ("visa", "4111111111111111", "4111 1111 1111 1111 1226"),
    ("visa", "4012888888881881", "cvv 123 4012 8888 8888 1881"),
    ("visa", "4111111111111111", "Card no.4111111111111111"),
    ("visa", "4111111111111111", "full-width \uff14\uff11\uff11\uff11 1111 1111 1111"),
    ("visa", "4111111111111111", "two cards 4111111111111111 5555555555554444"),
    ("mastercard", "5555555555554444", "charge 5555 5555 5555 4444 instead"),
    ("mastercard", "5105105105105100", "MC 5105-1051-0510-5100"),
    ("mastercard", "2223003122003222", "new 2-series card: 2223 0031 2200 3222"),
    ("mastercard", "2720992720992729", "2720 9927 2099 2729 was declined"),
    ("mastercard", "5200828282828210", "5200 . 8282 . 8282 . 8210"),
    ("amex", "378282246310005", "amex 3782 822463 10005"),
    ("amex", "371449635398431", "Amex: 3714 - 496353 - 98431"),
    ("amex", "378734493671000", "(378734493671000)"),
    ("amex", "378282246310005", "3782.822463.10005 is my amex"),
    ("discover", "6011111111111117", "discover 6011 1111 1111 1117"),
    ("discover", "6011000990139424", "6011-0009-9013-9424"),
    ("discover", "6011981111111113", "6011 9811 1111 1113 please refund"),
    ("jcb", "3530111333300000", "JCB 3530 1113 3330 0000"),
    ("jcb", "3566002020360505", "3566 0020 2036 0505"),
    ("jcb", "3566111111111113", "3566111111111113"),
    ("diners", "30569309025904", "diners 3056 930902 5904"),
    ("diners", "38520000023237", "38520000023237"),
    ("diners", "36227206271667", "3622 720627 1667"),
    ("unionpay", "6200000000000005", "unionpay 6200 0000 0000 0005"),
    ("unionpay", "6250941006528599", "6250 9410 0652 8599"),
    ("unionpay", "6205500000000000004", "19 digits: 6205 5000 0000 0000 004"),
    ("maestro", "6759649826438453", "maestro 6759 6498 2643 8453"),
    ("maestro", "6799990100000000019", "6799 9901 0000 0000 019"),
    ("maestro", "6304000000000000", "debit 6304 0000 0000 0000"),
    ("mir", "2200000000000004", "\u043a\u0430\u0440\u0442\u0430 2200 0000 0000 0004"),
]

# What the masker gets wrong on purpose, published next to the table and pinned by a test so a
# change in behaviour is a decision, not an accident.
KNOWN_MISSES = [
    # two cards pasted back to back, evenly grouped: reads as one 32-digit number
    "4111 1111 1111 1111 5555 5555 5555 4444",
    # a 12-digit Maestro outside Maestro's own BINs (56-59 count at 16-19 digits only)
    "maestro 5600 0000 0003",
    # glued to letters on either side
    "visa4111111111111111",
    "4111111111111111exp1226",
]
KNOWN_FALSE_POSITIVES = [
    # a FedEx Ground number starting 37 whose digits also pass Luhn, with no label before it
    "374158683449783 is on the truck",
    # a 16-digit IMEISV in the JCB range that happens to pass Luhn, with no label before it
    "my phone 3530069073662585 is blocked",
    # a German mobile number in E.164 without the plus that passes Luhn: a 13-digit Visa shape
    "whatsapp 4915103062027",
]

HAND_NEGATIVES = [
    ("order", "order 1234567890123456"),
    ("order", "order ORD-4111111111111111"),
    ("order", "Amazon order 112-1234567-1234567"),
    ("order", "eBay order 12-34567-89012"),
    ("order", "your order #100234 shipped"),
    ("order", "invoice 4111111111111112"),
    ("tracking:ups", "tracking 1Z999AA10123456784"),
    ("tracking:ups", "UPS 1Z 999 AA1 01 2345 6784"),
    ("tracking:usps", "USPS 9400 1000 0000 0000 0000 00"),
    ("tracking:usps", "9205 5000 0000 0000 0000 00 arrives Friday"),
    ("tracking:usps", "IMpb 420 90210 9400 1000 0000 0000 0000 00"),
    ("tracking:fedex", "FedEx 449044304137821"),
    ("tracking:fedex", "tracking number: 377101283611590"),
    ("tracking:fedex", "403934084723025 is the fedex one"),
    ("tracking:dhl", "DHL 1234567890"),
    ("tracking:s10", "registered mail RA123456785GB"),
    ("tracking:amazon", "TBA123456789000"),
    ("imei", "IMEI 490154203237518"),
    ("imei", "IMEI: 35-209900-176148-1"),
    ("imei", "my phone 356938035643809 is locked"),
    ("imei", "IMEISV 3520990017614823"),
    ("phone", "call me at +1 415 555 2671"),
    ("phone", "call +44 20 7946 0958 or 020 7946 0958"),
    ("phone", "(415) 555-2671"),
    ("phone", "0044 20 7946 0958"),
    ("phone", "+49 151 2345 6789"),
    ("phone", "+86 138 0013 8000"),
    ("phone", "1-800-555-0199"),
    ("date", "on 2026-11-23 at 05:46:11"),
    ("date", "23.11.2026 05:46"),
    ("date", "2026.11.23 2026.11.24 2026.11.25"),
    ("timestamp", "timestamp 20261123054611"),
    ("timestamp", "ts 202611230546"),
    ("timestamp", "epoch ms 1763876771000"),
    ("timestamp", "2026-11-23T05:46:11.123456Z"),
    ("amount", "amount 4111111.11"),
    ("amount", "$4,111,111.11"),
    ("amount", "1 234 567,89 €"),
    ("amount", "EUR 4.111.111,11"),
    ("ip", "ip 192.168.100.200"),
    ("ip", "hosts 10.0.0.1 10.0.0.2 10.0.0.3 10.0.0.4"),
    ("ip", "172.217.164.110 172.217.164.111"),
    ("isbn", "ISBN 978-3-16-148410-0"),
    ("isbn", "isbn 9780306406157"),
    ("postcode", "SW1A 1AA, 10115 Berlin, 75008 Paris, K1A 0B1"),
    ("misc", "version 4.111.1111.1111"),
    ("misc", "8 digits 41111111"),
    ("misc", "uuid 123e4567-e89b-12d3-a456-426614174000"),
    ("misc", "20 digits 41111111111111111111"),
    ("misc", "one digit off 4111 1111 1111 1112"),
    ("misc", "Luhn-valid but no network 1111 1111 1111 1117"),
]

HAND_SSNS = [
    "ssn 219-09-9998 please",
    "SSN: 219 09 9998",
    "my social security number is 219099998",
    "ssn#219099998",
    "SSN 123-45-6789",
]

HAND_SSN_NEGATIVES = [
    "000-12-3456",
    "666-12-3456",
    "900-12-3456",
    "219-00-9998",
    "219-09-0000",
    "219-09 9998",
    "order 219099998",
    "ssn 078-05-1120",  # the Woolworth wallet number, blocked by the SSA
    "phone 415-555-2671",
]

HAND_IBANS = [
    "DE89 3704 0044 0532 0130 00",
    "GB82WEST12345698765432",
    "fr14 2004 1010 0505 0001 3m02 606",
    "NL91ABNA0417164300",
    "BE68 5390 0754 7034",
    "ES91 2100 0418 4502 0005 1332",
    "CH93 0076 2011 6238 5295 7",
    "IT60 X054 2811 1010 0000 0123 456",
    "NO93 8601 1117 947",
    "PL61 1090 1014 0000 0712 1981 2874",
    "SE45 5000 0000 0583 9825 7466",
    "AT61-1904-3002-3457-3201",
]

HAND_IBAN_NEGATIVES = [
    "DE89 3704 0044 0532 0130 01",
    "GB00WEST12345698765432",
    "XX12 3456 7890 1234",
    "NL91 ABNA 0417 1643",
]


def _hand_cases() -> Iterator[Case]:
    for network, number, text in HAND_CARDS:
        yield Case(text, "card", f"card:{network}", number)
    for category, text in HAND_NEGATIVES:
        yield Case(text, None, category)
    for text in HAND_SSNS:
        yield Case(text, "ssn", "ssn", "".join(c for c in text if c.isdigit()))
    for text in HAND_SSN_NEGATIVES:
        yield Case(text, None, "ssn look-alike")
    for text in HAND_IBANS:
        yield Case(f"please pay to {text} today", "iban", "iban", compact(text))
    for text in HAND_IBAN_NEGATIVES:
        yield Case(f"account {text}", None, "iban look-alike")


# --- generated cards ---------------------------------------------------------------------------

CARD_SPECS: dict[str, tuple[tuple[str, ...], tuple[int, ...]]] = {
    "visa": (("4",), (16, 16, 16, 13, 19)),
    "mastercard": (("51", "52", "53", "54", "55", "2221", "2300", "2500", "2720"), (16,)),
    "amex": (("34", "37"), (15,)),
    "discover": (("6011", "644", "649", "65", "622126", "622925"), (16, 16, 19)),
    "jcb": (("3528", "3530", "3566", "3589"), (16, 16, 19)),
    "diners": (("300", "305", "3095", "36", "38", "39"), (14, 14, 16)),
    "unionpay": (("62", "6212", "6250", "81"), (16, 17, 18, 19)),
    "maestro": (
        ("5018", "5020", "5038", "5893", "6304", "6759", "6761", "6762", "6763", "56", "67"),
        (16, 16, 19),
    ),
    "maestro (short)": (("5018", "6304", "6759", "6761"), (12, 13, 14)),
    "mir": (("2200", "2204"), (16,)),
}

SEPARATORS = {
    "space": " ",
    "dash": "-",
    "dot": ".",
    "double space": "  ",
    "spaced dash": " - ",
    "spaced dot": " . ",
    "no-break space": "\u00a0",
}

CARD_TEMPLATES = [
    "my card is {}, thanks",
    "Card: {}",
    "please charge {} for the order",
    "{}",
    "use {} exp 12/26",
    "Number {}, cvv 123",
    "Can you refund it to {}?",
    "it's {}.",
    "here ({}) ok",
    "cc#{}",
    "the card number is {} and the name is Ana",
    "{} 12/27 321",
]


def luhn_number(rng: random.Random, prefix: str, length: int) -> str:
    body = prefix + "".join(rng.choice(string.digits) for _ in range(length - len(prefix) - 1))
    return body + luhn.calc_check_digit(body)


def card_groups(length: int, style: str) -> list[int]:
    """Group sizes: ``fours`` (4-4-4-4, 4-4-4-4-3, 4-4-4-1), ``native`` (4-6-5 / 4-6-4 at 14-15)."""
    if style == "native" and length in (14, 15):
        return [4, 6, length - 10]
    sizes = [4] * (length // 4)
    return [*sizes, length % 4] if length % 4 else sizes


def write_grouped(digits: str, sizes: list[int], seps: list[str]) -> str:
    parts, at = [], 0
    for size in sizes:
        parts.append(digits[at : at + size])
        at += size
    out = parts[0]
    for i, part in enumerate(parts[1:]):
        out += seps[i % len(seps)] + part
    return out


def _card_layouts(length: int) -> Iterator[tuple[list[int], list[str]]]:
    """Every separator in fours and (at 14-15 digits) 4-6-x, one block, and a mix."""
    for sep in SEPARATORS.values():
        yield card_groups(length, "fours"), [sep]
        if length in (14, 15):
            yield card_groups(length, "native"), [sep]
    yield [length], [""]
    yield card_groups(length, "fours"), [" ", "-", " - "]


def _generated_cards(rng: random.Random) -> Iterator[Case]:
    templates = iter(CARD_TEMPLATES * 1000)
    for network, (prefixes, lengths) in CARD_SPECS.items():
        for n in range(3):
            length = lengths[n % len(lengths)]
            for sizes, seps in _card_layouts(length):
                number = luhn_number(rng, rng.choice(prefixes), length)
                text = next(templates).format(write_grouped(number, sizes, seps))
                yield Case(text, "card", f"card:{network}", number)


# --- generated IBANs ---------------------------------------------------------------------------


def _bban(rng: random.Random, structure: str) -> str:
    out = ""
    for count, cls in _structure_parts(structure):
        alphabet = {"n": string.digits, "a": string.ascii_uppercase}.get(
            cls, string.digits + string.ascii_uppercase
        )
        out += "".join(rng.choice(alphabet) for _ in range(count))
    return out


def _structure_parts(structure: str) -> list[tuple[int, str]]:
    parts, number = [], ""
    for char in structure:
        if char.isdigit():
            number += char
        elif char in "nac":
            parts.append((int(number), char))
            number = ""
    return parts


def iban_number(rng: random.Random, country: str, structure: str) -> str:
    bban = _bban(rng, structure)
    return country + stdnum_iban.calc_check_digits(country + "00" + bban) + bban


def _iban_countries() -> list[tuple[str, str]]:
    return [
        (country, info["bban"])
        for _, country, _, info, _ in numdb.get("iban").prefixes
        if info.get("bban")
    ]


IBAN_TEMPLATES = [
    "please pay to {} today",
    "IBAN: {}",
    "my account is {}.",
    "{}",
    "transfer to {} ref 12345",
]


def _generated_ibans(rng: random.Random) -> Iterator[Case]:
    templates = iter(IBAN_TEMPLATES * 1000)
    for i, (country, structure) in enumerate(_iban_countries()):
        number = iban_number(rng, country, structure)
        written = stdnum_iban.format(number) if i % 3 else number
        written = written.lower() if i % 7 == 0 else written
        category = "iban" if stdnum_iban.is_valid(number) else "iban:national check fails"
        yield Case(next(templates).format(written), "iban", category, number)
        broken = number[:-1] + str((int(number[-1]) + 1) % 10) if number[-1].isdigit() else ""
        if broken and not stdnum_iban.is_valid(broken, check_country=False):
            yield Case(f"account {stdnum_iban.format(broken)}", None, "iban look-alike")


# --- generated SSNs ----------------------------------------------------------------------------


def _generated_ssns(rng: random.Random) -> Iterator[Case]:
    written = ["{}-{}-{}", "{} {} {}", "SSN {}{}{}", "social security number {}{}{}"]
    for i in range(24):
        area = rng.choice([n for n in range(1, 900) if n != 666])
        group, serial = rng.randint(1, 99), rng.randint(1, 9999)
        parts = (f"{area:03d}", f"{group:02d}", f"{serial:04d}")
        text = written[i % len(written)].format(*parts)
        yield Case(f"it is {text} thanks", "ssn", "ssn", "".join(parts))


# --- generated hard negatives ------------------------------------------------------------------

IMEI_TACS = ("35", "86", "01", "49", "99", "98", "91", "45", "44", "33", "30", "10", "50", "53")


def _imeis(rng: random.Random) -> Iterator[Case]:
    layouts: list[Callable[[str], str]] = [
        lambda n: n,
        lambda n: f"{n[:2]}-{n[2:8]}-{n[8:14]}-{n[14]}",
        lambda n: f"{n[:2]} {n[2:8]} {n[8:14]} {n[14]}",
        lambda n: f"{n[:8]} {n[8:14]} {n[14]}",
    ]
    for i in range(60):
        number = luhn_number(rng, rng.choice(IMEI_TACS), 15)
        written = layouts[i % len(layouts)](number)
        text = [f"IMEI {written}", f"my phone {written} is blocked", f"{written}"][i % 3]
        yield Case(text, None, "imei", number)
    for _ in range(10):
        number = rng.choice(IMEI_TACS) + _digits(rng, 14)
        yield Case(f"IMEISV: {number}", None, "imei", number)


def _mod10_31(digits: str) -> str:
    """The GS1 / USPS / FedEx Ground check digit: weights 3 and 1 from the right."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return str((10 - total % 10) % 10)


def _fedex12(rng: random.Random) -> str:
    body = "".join(rng.choice(string.digits) for _ in range(11))
    weights = [1, 3, 7] * 4
    total = sum(int(d) * w for d, w in zip(reversed(body), weights, strict=False))
    return body + str(total % 11 % 10)


def _ups(rng: random.Random) -> str:
    body = "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(6))
    body += rng.choice(["01", "02", "03", "12", "13"])
    body += "".join(rng.choice(string.digits) for _ in range(7))
    values = [int(c) if c.isdigit() else (ord(c) - 63) % 10 for c in body]
    total = sum(v * (2 if i % 2 else 1) for i, v in enumerate(values))
    return "1Z" + body + str((10 - total % 10) % 10)


def _s10(rng: random.Random) -> str:
    serial = "".join(rng.choice(string.digits) for _ in range(8))
    total = sum(int(d) * w for d, w in zip(serial, [8, 6, 4, 2, 3, 5, 9, 7], strict=True))
    check = 11 - total % 11
    digit = {10: 0, 11: 5}.get(check, check)
    return (
        rng.choice(["RA", "RR", "EA", "LX", "CP"])
        + serial
        + str(digit)
        + rng.choice(["GB", "US", "CN", "DE"])
    )


def _digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(count))


def _tracking_numbers(rng: random.Random) -> Iterator[tuple[str, str]]:
    for _ in range(12):
        yield "tracking:ups", _ups(rng)
        yield "tracking:fedex", _fedex12(rng)
        body = _digits(rng, 14)
        yield "tracking:fedex", body + _mod10_31(body)
        body = rng.choice(["9400", "9205", "9407", "9270", "9303", "9505"]) + _digits(rng, 17)
        yield "tracking:usps", body + _mod10_31(body)
        body = rng.choice(["7019", "7020", "7021", "7022"]) + _digits(rng, 15)
        yield "tracking:usps", body + _mod10_31(body)
        body = _digits(rng, 9)
        yield "tracking:dhl", body + str(int(body) % 7)
        yield "tracking:s10", _s10(rng)


def _tracking(rng: random.Random) -> Iterator[Case]:
    templates = [
        "Tracking number: {}",
        "your parcel {} is on its way",
        "{}",
        "it says {} was delivered",
        "shipment {}",
    ]
    for i, (category, number) in enumerate(_tracking_numbers(rng)):
        written = number
        if number.isdigit() and len(number) > 15 and i % 2:
            written = " ".join(number[j : j + 4] for j in range(0, len(number), 4))
        yield Case(templates[i % len(templates)].format(written), None, category, number)


PHONE_FORMATS = [
    "+1 {3} {3} {4}",
    "({3}) {3}-{4}",
    "{3}.{3}.{4}",
    "+1-{3}-{3}-{4}",
    "+44 20 {4} {4}",
    "0044 20 {4} {4}",
    "+49 151 {4} {4}",
    "49 151 {4} {4}",
    "+49 (0)30 {6}",
    "+33 6 {2} {2} {2} {2}",
    "33 6 {2} {2} {2} {2}",
    "+86 138 {4} {4}",
    "86 138 {4} {4}",
    "+91 {5} {5}",
    "+81 90-{4}-{4}",
    "+55 11 9{4}-{4}",
    "+61 4{2} {3} {3}",
    "+62 812-{4}-{4}",
    "+7 912 {3}-{2}-{2}",
    "+34 6{2} {3} {3}",
    "+39 3{2} {3} {4}",
    "+353 85 {3} {4}",
    "00 1 {3} {3} {4}",
]


def _phones(rng: random.Random) -> Iterator[Case]:
    for i in range(2 * len(PHONE_FORMATS)):
        fmt = PHONE_FORMATS[i % len(PHONE_FORMATS)]
        number = re.sub(r"\{(\d)\}", lambda m: _digits(rng, int(m.group(1))), fmt)
        yield Case([f"call me on {number}", f"tel: {number}", number][i % 3], None, "phone")


def _everyday_numbers(rng: random.Random) -> Iterator[Case]:
    for _ in range(12):
        y, m, d = rng.randint(1990, 2035), rng.randint(1, 12), rng.randint(1, 28)
        h, mi, s = rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59)
        yield Case(f"on {y}-{m:02d}-{d:02d} {h:02d}:{mi:02d}:{s:02d}", None, "date")
        yield Case(f"ts {y}{m:02d}{d:02d}{h:02d}{mi:02d}{s:02d}", None, "timestamp")
        yield Case(f"paid {rng.randint(1, 9999999):,}.{rng.randint(0, 99):02d} USD", None, "amount")
        ip = ".".join(str(rng.randint(1, 254)) for _ in range(4))
        ip2 = ".".join(str(rng.randint(1, 254)) for _ in range(4))
        yield Case(f"from {ip} and {ip2}", None, "ip")
        yield Case(f"order {_digits(rng, rng.randint(6, 12))}", None, "order")
        long_number = f"{rng.randint(1, 9)}{_digits(rng, 15)}"
        yield Case(f"order number {long_number}", None, "order (16 digits)")
        # Unlabelled, a random 16-digit number is a card about 4% of the time: measured, not hidden.
        yield Case(f"for order {long_number}", None, "random 16 digits")
        isbn = "978" + _digits(rng, 9)
        yield Case(f"ISBN {isbn}{_mod10_31(isbn)}", None, "isbn")


def corpus(seed: int = 20261123) -> list[Case]:
    rng = random.Random(seed)
    cases = [
        *_hand_cases(),
        *_generated_cards(rng),
        *_generated_ibans(rng),
        *_generated_ssns(rng),
        *_imeis(rng),
        *_tracking(rng),
        *_phones(rng),
        *_everyday_numbers(rng),
    ]
    return cases


# --- scoring -----------------------------------------------------------------------------------


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


@dataclass
class Report:
    scores: dict[str, Score]
    false_positives: Counter[str]  # category -> cases wrongly masked
    misses: list[Case]
    wrongly_masked: list[Case]


def score(cases: list[Case]) -> Report:
    """A case counts as caught when its kind is reported and its value is gone from the text."""
    report = Report({kind: Score() for kind in KINDS}, Counter(), [], [])
    for case in cases:
        out = mask(case.text)
        if case.kind is not None:
            hit = case.kind in out.kinds and case.secret not in compact(out.text)
            report.scores[case.kind].tp += hit
            report.scores[case.kind].fn += not hit
            if not hit:
                report.misses.append(case)
        for kind in sorted(set(out.kinds) - {case.kind}):
            report.scores[kind].fp += 1
            report.false_positives[case.category] += 1
            report.wrongly_masked.append(case)
    return report


def main() -> None:
    """Print the table for docs/security.md."""
    cases = corpus()
    report = score(cases)
    print(f"{len(cases)} cases, {sum(c.kind is None for c in cases)} of them hard negatives\n")
    print("| kind | positives | caught | missed | false positives | precision | recall |")
    print("|---|---|---|---|---|---|---|")
    for kind, s in report.scores.items():
        print(
            f"| {kind} | {s.tp + s.fn} | {s.tp} | {s.fn} | {s.fp} "
            f"| {s.precision:.2%} | {s.recall:.2%} |"
        )
    print()
    for case in report.misses:
        print(f"missed ({case.category}): {case.text!r}")
    for case in report.wrongly_masked:
        print(f"wrongly masked ({case.category}): {case.text!r}")
    print(Counter(c.category.split(":")[0] if c.kind else c.category for c in cases))


if __name__ == "__main__":
    main()
