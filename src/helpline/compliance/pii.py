"""PII detection and masking: a pure function from text to masked text.

Runs at ingest, before anything is stored, published, logged or sent on (DESIGN.md guarantee 6).
Detectors, each confirmed by a checksum from python-stdnum so look-alikes stay untouched:

- payment card numbers: 13-19 digits written as one block or in groups separated by single
  spaces or dashes (mixed is fine), Luhn-valid, starting with a card-network digit (2-6), and not
  a compact date-time (YYYYMMDDhhmm...);
- US social security numbers: ``AAA-GG-SSSS`` / ``AAA GG SSSS``, or nine bare digits right after
  the words SSN / social security; validated by ``stdnum.us.ssn``;
- IBANs, with or without spaces, validated by ``stdnum.iban`` (country format and mod-97).

A card keeps its last four digits (what receipts show); SSNs and IBANs are masked whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from stdnum import iban as stdnum_iban
from stdnum import luhn
from stdnum.us import ssn as stdnum_ssn

_DIGIT_RUN = re.compile(r"(?<![\w-])\d+(?:[ -]\d+)*(?![\w])")
_SSN = re.compile(r"(?<![\w-])(\d{3})([- ])(\d{2})\2(\d{4})(?![\w-])")
_SSN_BARE = re.compile(
    r"(?i)\b(?:ssn|social\s+security(?:\s+(?:number|no\.?|#))?)(?:\s+is)?\W{0,3}(\d{9})\b"
)
_IBAN = re.compile(r"(?i)(?<![\w])[a-z]{2}\d{2}(?: ?[a-z0-9]){8,30}")


@dataclass(frozen=True)
class Masked:
    text: str
    kinds: tuple[str, ...]

    @property
    def changed(self) -> bool:
        return bool(self.kinds)


def mask(text: str) -> Masked:
    """Return ``text`` with every detected card number, SSN and IBAN replaced."""
    kinds: list[str] = []
    text = _IBAN.sub(lambda m: _mask_iban(m, kinds), text)
    text = _SSN.sub(
        lambda m: _mask_ssn(m.group(0), m.group(1) + m.group(3) + m.group(4), kinds), text
    )
    text = _SSN_BARE.sub(lambda m: _mask_bare_ssn(m, kinds), text)
    text = _DIGIT_RUN.sub(lambda m: _mask_cards_in_run(m.group(0), kinds), text)
    return Masked(text, tuple(kinds))


def is_card_number(digits: str) -> bool:
    if not (13 <= len(digits) <= 19 and digits.isdigit()):
        return False
    if digits[0] not in "23456" or _looks_like_timestamp(digits):
        return False
    return bool(luhn.is_valid(digits))


def _looks_like_timestamp(digits: str) -> bool:
    if digits[:2] not in ("19", "20"):
        return False
    for fmt, size in (("%Y%m%d%H%M%S", 14), ("%Y%m%d%H%M", 12)):
        try:
            datetime.strptime(digits[:size], fmt)
        except ValueError:
            continue
        return True
    return False


def _mask_cards_in_run(run: str, kinds: list[str]) -> str:
    """Mask every card number inside a run of digit groups, aligned to group boundaries.

    A run may hold a card followed by other digits ("4111 1111 1111 1111 12 26"), so windows of
    consecutive groups are tried, longest first from each start.
    """
    parts = re.split(r"([ -])", run)
    groups, seps = parts[0::2], parts[1::2]
    out: list[str] = []
    i = 0
    while i < len(groups):
        end = _longest_card_window(groups, i)
        if end is None:
            out.append(groups[i])
            if i < len(seps):
                out.append(seps[i])
            i += 1
            continue
        digits = "".join(groups[i : end + 1])
        kinds.append("card")
        out.append(f"[card ending {digits[-4:]}]")
        if end < len(seps):
            out.append(seps[end])
        i = end + 1
    return "".join(out)


def _longest_card_window(groups: list[str], start: int) -> int | None:
    total = 0
    best = None
    for end in range(start, len(groups)):
        total += len(groups[end])
        if total > 19:
            break
        if total >= 13 and is_card_number("".join(groups[start : end + 1])):
            best = end
    return best


def _mask_ssn(original: str, digits: str, kinds: list[str]) -> str:
    if not stdnum_ssn.is_valid(digits):
        return original
    kinds.append("ssn")
    return "[SSN redacted]"


def _mask_bare_ssn(match: re.Match[str], kinds: list[str]) -> str:
    digits = match.group(1)
    masked = _mask_ssn(digits, digits, kinds)
    return match.group(0)[: match.start(1) - match.start(0)] + masked


def _mask_iban(match: re.Match[str], kinds: list[str]) -> str:
    """The pattern over-reaches into following words; keep the longest checksum-valid prefix."""
    candidate = match.group(0)
    for end in range(len(candidate), 14, -1):
        head = candidate[:end]
        if head.endswith(" "):
            continue
        if stdnum_iban.is_valid(head.replace(" ", "").upper()):
            kinds.append("iban")
            return "[IBAN redacted]" + candidate[end:]
    return candidate
