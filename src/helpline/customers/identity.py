"""Signed customer identity from the host site. Pure.

The host site's backend signs the customer's record with the shared ``HELPLINE_IDENTITY_SECRET``:

    signature = hex(HMAC-SHA256(secret, canonical_json(customer)))

where ``canonical_json`` is JSON with sorted keys and no spaces. Only a signed record may set the
tier or account status (they drive priority and eligibility); an unsigned visitor is "standard".
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from helpline.core.errors import Invalid

FIELDS = ("external_id", "name", "email", "tier", "account_status")


def canonical(customer: dict[str, Any]) -> bytes:
    return json.dumps(customer, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign(customer: dict[str, Any], secret: str) -> str:
    return hmac.new(secret.encode(), canonical(customer), hashlib.sha256).hexdigest()


def verify(customer: dict[str, Any], signature: str, secret: str) -> dict[str, Any]:
    """Return the customer record if the signature matches, else raise :class:`Invalid`."""
    if not secret:
        raise Invalid(
            "Signed identity is not configured on this server.", code="identity_not_configured"
        )
    if not hmac.compare_digest(sign(customer, secret), signature):
        raise Invalid("The customer identity signature does not match.", code="bad_identity")
    if not isinstance(customer.get("external_id"), str) or not customer["external_id"]:
        raise Invalid("A signed identity needs an external_id.", code="bad_identity")
    return {k: customer[k] for k in FIELDS if k in customer}
