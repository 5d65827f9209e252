"""PII detection and masking: a pure function from text to masked text.

Runs at ingest, before anything is stored, published, logged or sent on (DESIGN.md guarantee 6),
so it sits on the hot path of every message. Three detectors, each confirmed by a checksum so
look-alikes stay untouched:

- payment card numbers (``[card ending 1234]``): a run of digit groups joined by separators
  (one to four spaces, or a dash or dot with up to three spaces either side, in any mix) holding a
  window of 12-19 digits that has a known issuer prefix *and* a length that issuer uses
  (:data:`NETWORKS`), and passes Luhn. Rules that keep look-alikes out, each for a named reason:

  1. at 15 digits only Amex (34/37) and the legacy JCB ranges 1800/2100/2131 count (Maestro and
     UnionPay may in theory issue 15 digits; we trade that for IMEIs), so a Luhn-valid IMEI
     (15 digits, reporting-body prefix 01/35/86/49/...) is never a card;
  2. inside a card every group but the last has at least 3 digits: phone numbers, IP addresses
     and dates start with 1-2 digit groups (``49 151 ...``, ``10.0.0.1``);
  3. in a run of more than 19 digits a card is one whole group, or starts the run, or ends it,
     with at most 8 other digits beside it (an expiry date, a CVV); it may not end a run that is
     one evenly grouped number with one separator (a USPS tracking number
     ``9400 1000 0000 0000 0000 00``, whose tail may pass Luhn by chance); and a card is never
     next to a lone digit (``30056702 026986 1``: an IMEI written TAC, serial, check digit);
  4. a run right after a device, shipping or order label ("IMEI", "tracking number:", "FedEx",
     "order number", "invoice #"; a bare "order" is not enough) is left alone: the label says
     what the number is. So is the rest of an IBAN-shaped token whose checksum failed
     (``EE41 2398 5355 2049 4221``): a mistyped IBAN is not a card;
  5. a run glued to a letter or digit on either side, or on its left to ``+`` or to a word and a
     dash, is part of something else (``ORD-4111...``, ``+49 ...``); underscores do not glue
     (``_4111 1111 1111 1111_`` is markdown italics).

- US social security numbers (``[SSN redacted]``): ``AAA-GG-SSSS`` / ``AAA GG SSSS``, or nine bare
  digits right after the words SSN / social security; validated by ``stdnum.us.ssn``;
- IBANs (``[IBAN redacted]``), with or without spaces or dashes: a known country code, exactly the
  length and character classes of that country's IBAN, and the ISO 7064 mod-97 check. National
  check digits inside the BBAN are deliberately *not* required: a mistyped bank-internal key still
  makes the string someone's account number.

A card keeps its last four digits (what receipts show); SSNs and IBANs are masked whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from stdnum import iban as stdnum_iban
from stdnum import luhn, numdb
from stdnum.us import ssn as stdnum_ssn

_ANY_DIGIT = re.compile(r"\d")
_SPACE = r"[ \t\u00a0\u2007\u202f]"
_SEP = rf"(?:{_SPACE}{{0,3}}[-.\u2010-\u2015]{_SPACE}{{0,3}}|{_SPACE}{{1,4}})"
_DIGIT_RUN = re.compile(rf"(?<![^\W_]|\+)(?<![^\W_]-)\d+(?:{_SEP}\d+)*(?![^\W_])")
_SPLIT_GROUPS = re.compile(r"(\d+)")
_NOT_A_CARD_LABEL = re.compile(
    r"(?i)\b(?:imei(?:sv)?|meid|esn|serial|s/n|tracking|track|waybill|awb|consignment|parcel"
    r"|shipment|package|fedex|ups|usps|dhl"
    r"|(?:order|invoice|booking|reservation|confirmation)\s*(?:no\b|nr\b|num\b|number|id\b|#))"
    r"(?:\W{0,3}(?:no|nr|num|number|code|id|is))*\W{0,4}$"
)
_IBAN_HEAD = re.compile(r"(?i)(?<!\w)[a-z]{2}\d{2}(?:[ -][a-z0-9]{4})*[ -]$")
_LABEL_REACH = 40

_SSN = re.compile(r"(?<![\w-])(\d{3})([- ])(\d{2})\2(\d{4})(?![\w-])")
_SSN_BARE = re.compile(
    r"(?i)\b(?:ssn|social\s+security(?:\s+(?:number|no\.?|#))?)(?:\s+is)?\W{0,3}(\d{9})\b"
)
_IBAN_START = re.compile(r"(?i)(?<!\w)[a-z]{2}\d{2}")

MIN_CARD, MAX_CARD = 12, 19
_CARD_SLACK = 8
_ANY = frozenset(range(16, 20))

NETWORKS: tuple[tuple[str, str, str, frozenset[int]], ...] = (
    # (network, lowest prefix, highest prefix, lengths); prefixes compare as equal-length strings.
    ("visa", "4", "4", frozenset({13, 16, 19})),
    ("mastercard", "51", "55", frozenset({16})),
    ("mastercard", "2221", "2720", frozenset({16})),
    ("amex", "34", "34", frozenset({15})),
    ("amex", "37", "37", frozenset({15})),
    ("discover", "6011", "6011", _ANY),
    ("discover", "644", "649", _ANY),
    ("discover", "65", "65", _ANY),
    ("discover", "622126", "622925", _ANY),
    ("jcb", "3528", "3589", _ANY),
    # JCB's legacy 15-digit ranges (2131, 1800; 2100 is what some test-data generators emit).
    ("jcb", "1800", "1800", frozenset({15})),
    ("jcb", "2100", "2100", frozenset({15})),
    ("jcb", "2131", "2131", frozenset({15})),
    ("diners", "300", "305", frozenset({14}) | _ANY),
    ("diners", "3095", "3095", frozenset({14}) | _ANY),
    ("diners", "36", "36", frozenset({14}) | _ANY),
    ("diners", "38", "39", frozenset({14}) | _ANY),
    ("unionpay", "62", "62", _ANY),
    ("unionpay", "81", "81", _ANY),
    ("mir", "2200", "2204", _ANY),
    # Maestro issues 12-19 digits. Its own BINs are taken at every length but 15 (IMEIs); the
    # wider ranges only at 16-19, where they cannot collide with phone numbers either.
    *(
        ("maestro", bin_, bin_, frozenset({12, 13, 14}) | _ANY)
        for bin_ in ("5018", "5020", "5038", "5893", "6304", "6759", "6761", "6762", "6763")
    ),
    ("maestro", "50", "50", _ANY),
    ("maestro", "56", "59", _ANY),
    ("maestro", "63", "63", _ANY),
    ("maestro", "67", "67", _ANY),
)


@dataclass(frozen=True)
class Masked:
    text: str
    kinds: tuple[str, ...]

    @property
    def changed(self) -> bool:
        return bool(self.kinds)


def mask(text: str) -> Masked:
    """Return ``text`` with every detected card number, SSN and IBAN replaced."""
    if not _ANY_DIGIT.search(text):
        return Masked(text, ())
    kinds: list[str] = []
    text = _mask_ibans(text, kinds)
    text = _SSN.sub(
        lambda m: _mask_ssn(m.group(0), m.group(1) + m.group(3) + m.group(4), kinds), text
    )
    text = _SSN_BARE.sub(lambda m: _mask_bare_ssn(m, kinds), text)
    text = _DIGIT_RUN.sub(lambda m: _mask_cards_in_run(m, kinds), text)
    return Masked(text, tuple(kinds))


def card_network(digits: str) -> str | None:
    """The network that issues ``digits`` (ASCII digits, no separators) at that length, if any."""
    size = len(digits)
    for width in _PREFIX_WIDTHS:
        for network, lengths in _BY_PREFIX.get(digits[:width], ()):
            if size in lengths:
                return network
    return None


def _index_networks() -> dict[str, list[tuple[str, frozenset[int]]]]:
    index: dict[str, list[tuple[str, frozenset[int]]]] = {}
    for network, low, high, lengths in NETWORKS:
        for prefix in range(int(low), int(high) + 1):
            index.setdefault(str(prefix).zfill(len(low)), []).append((network, lengths))
    return index


_BY_PREFIX = _index_networks()
_PREFIX_WIDTHS = sorted({len(low) for _, low, _, _ in NETWORKS}, reverse=True)


def is_card_number(digits: str) -> bool:
    if not (MIN_CARD <= len(digits) <= MAX_CARD and digits.isascii() and digits.isdigit()):
        return False
    return card_network(digits) is not None and bool(luhn.is_valid(digits))


def _mask_cards_in_run(match: re.Match[str], kinds: list[str]) -> str:
    """Mask every card number inside a run of digit groups, aligned to group boundaries."""
    run = match.group(0)
    if len(run) < MIN_CARD:
        return run
    parts = _SPLIT_GROUPS.split(run)
    groups, seps = parts[1::2], parts[2:-1:2]
    windows = _card_windows(groups, seps)
    if not windows or _context_says_not_a_card(match.string, match.start()):
        return run
    ends = dict(windows)
    out: list[str] = []
    i = 0
    while i < len(groups):
        end = ends.get(i)
        if end is None:
            out.append(groups[i])
        else:
            kinds.append("card")
            out.append(f"[card ending {_ascii(''.join(groups[i : end + 1]))[-4:]}]")
            i = end
        if i < len(seps):
            out.append(seps[i])
        i += 1
    return "".join(out)


class _Run(NamedTuple):
    groups: list[str]
    total: int  # digits in the run
    tail_ok: bool  # a card may end the run: it is not one evenly grouped long number


def _card_windows(groups: list[str], seps: list[str]) -> list[tuple[int, int]]:
    """Non-overlapping (first, last) group indexes of the cards in a run, longest first."""
    total = sum(map(len, groups))
    if total < MIN_CARD:
        return []
    run = _Run(groups, total, total <= MAX_CARD or not _one_long_number(groups, seps))
    found: list[tuple[int, int]] = []
    i = 0
    while i < len(groups):
        end = _longest_card_window(run, i)
        if end is None:
            i += 1
            continue
        found.append((i, end))
        i = end + 1
    return found


def _one_long_number(groups: list[str], seps: list[str]) -> bool:
    """Evenly grouped with a single separator: how long reference numbers are printed."""
    size = len(groups[0])
    return (
        len(set(seps)) <= 1 and all(len(g) == size for g in groups[:-1]) and len(groups[-1]) <= size
    )


def _longest_card_window(run: _Run, start: int) -> int | None:
    groups = run.groups
    size = 0
    best = None
    for end in range(start, len(groups)):
        if end > start and len(groups[end - 1]) < 3:
            break
        size += len(groups[end])
        if size > MAX_CARD:
            break
        if (
            size >= MIN_CARD
            and _may_hold_card(run, start, end, size)
            and is_card_number(_ascii("".join(groups[start : end + 1])))
        ):
            best = end
    return best


def _may_hold_card(run: _Run, start: int, end: int, size: int) -> bool:
    """Where a card may sit in a run; a lone digit next to it is another number's check digit."""
    groups, last = run.groups, len(run.groups) - 1
    if (start > 0 and len(groups[start - 1]) < 2) or (end < last and len(groups[end + 1]) < 2):
        return False
    if run.total <= MAX_CARD or start == end:
        return True
    if run.total - size > _CARD_SLACK:
        return False
    return start == 0 or (end == last and run.tail_ok)


def _context_says_not_a_card(text: str, at: int) -> bool:
    """A device, shipping or order label right before the run, or the run continues an IBAN."""
    start = max(0, at - _LABEL_REACH)
    return bool(_NOT_A_CARD_LABEL.search(text, start, at) or _IBAN_HEAD.search(text, start, at))


def _ascii(digits: str) -> str:
    return digits if digits.isascii() else "".join(str(int(c)) for c in digits)


def _mask_ssn(original: str, digits: str, kinds: list[str]) -> str:
    if not stdnum_ssn.is_valid(digits):
        return original
    kinds.append("ssn")
    return "[SSN redacted]"


def _mask_bare_ssn(match: re.Match[str], kinds: list[str]) -> str:
    digits = match.group(1)
    masked = _mask_ssn(digits, digits, kinds)
    return match.group(0)[: match.start(1) - match.start(0)] + masked


def _iban_lengths() -> dict[str, int]:
    lengths = {}
    for _, country, _, info, _ in numdb.get("iban").prefixes:
        if info.get("bban"):
            lengths[country] = 4 + sum(int(n) for n in re.findall(r"(\d+)!", info["bban"]))
    return lengths


_IBAN_LENGTHS = _iban_lengths()


def _mask_ibans(text: str, kinds: list[str]) -> str:
    out: list[str] = []
    done = 0
    for head in _IBAN_START.finditer(text):
        start = head.start()
        end = _iban_end(text, start) if start >= done else None
        if end is not None:
            out += [text[done:start], "[IBAN redacted]"]
            kinds.append("iban")
            done = end
    return "".join(out) + text[done:] if out else text


def _iban_end(text: str, start: int) -> int | None:
    """Where the IBAN starting at ``start`` ends: its country's length in letters and digits,
    single spaces or dashes allowed between them; None unless mod-97 and the format hold."""
    length = _IBAN_LENGTHS.get(text[start : start + 2].upper(), 0)
    seen, i = 0, start
    while seen < length and i < len(text):
        char = text[i]
        if char.isascii() and char.isalnum():
            seen += 1
        elif char not in " -" or not text[i + 1 : i + 2].isalnum():
            return None
        i += 1
    if not length or seen < length:
        return None
    return i if stdnum_iban.is_valid(text[start:i], check_country=False) else None
