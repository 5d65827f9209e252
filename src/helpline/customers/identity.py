"""Signed customer identity from the host site. Pure.

The host site's backend signs the customer's record with the shared ``HELPLINE_IDENTITY_SECRET``:

    signature = hex(HMAC-SHA256(secret, canonical_json(customer)))

where ``canonical_json`` is JSON with sorted keys and no spaces. Only a signed record may set the
tier or account status (they drive priority and eligibility); an unsigned visitor is "standard".

A signature proves who sent a record, not what is in it: the host's CRM may hold a card number in
a name or a note attribute. :func:`masked` is applied before a record is stored, like every other
text that enters Helpline.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from helpline.compliance.pii import mask
from helpline.core.errors import ErrorCode, Invalid

FIELDS = ("external_id", "name", "email", "tier", "account_status", "attributes")
# external_id is the host's key for the customer and is kept as sent: masking it could merge two
# customers into one. tier is checked against a closed set.
FREE_TEXT = ("name", "email", "account_status", "attributes")


def canonical(customer: dict[str, Any]) -> bytes:
    return json.dumps(customer, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign(customer: dict[str, Any], secret: str) -> str:
    return hmac.new(secret.encode(), canonical(customer), hashlib.sha256).hexdigest()


def verify(customer: dict[str, Any], signature: str, secret: str) -> dict[str, Any]:
    """Return the customer record if the signature matches, else raise :class:`Invalid`."""
    if not secret:
        raise Invalid(
            "Signed identity is not configured on this server.",
            code=ErrorCode.IDENTITY_NOT_CONFIGURED,
        )
    if not hmac.compare_digest(sign(customer, secret), signature):
        raise Invalid(
            "The customer identity signature does not match.", code=ErrorCode.BAD_IDENTITY
        )
    if not isinstance(customer.get("external_id"), str) or not customer["external_id"]:
        raise Invalid("A signed identity needs an external_id.", code=ErrorCode.BAD_IDENTITY)
    if not isinstance(customer.get("attributes", {}), dict):
        raise Invalid(
            "A signed identity's attributes must be an object.", code=ErrorCode.BAD_IDENTITY
        )
    return {k: customer[k] for k in FIELDS if k in customer}


def masked(record: dict[str, Any]) -> dict[str, Any]:
    """``record`` with PII masked in every free-text value, attribute names and values included."""
    return {k: _masked(v) if k in FREE_TEXT else v for k, v in record.items()}


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask(value).text
    if isinstance(value, dict):
        return {mask(str(k)).text: _masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool):
        out = mask(str(value))
        return out.text if out.changed else value
    return value
