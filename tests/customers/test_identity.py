"""Signed customer identity."""

from __future__ import annotations

import pytest

from helpline.core.errors import Invalid
from helpline.customers.identity import masked, sign, verify


def test_a_signed_record_verifies_and_keeps_known_fields() -> None:
    record = {"external_id": "c-1", "tier": "vip", "name": "Ada", "favourite": "tea"}
    assert verify(record, sign(record, "s3cret"), "s3cret") == {
        "external_id": "c-1",
        "tier": "vip",
        "name": "Ada",
    }


@pytest.mark.parametrize(
    ("record", "signature", "secret", "code"),
    [
        ({"external_id": "c-1", "tier": "vip"}, "0" * 64, "s3cret", "bad_identity"),
        ({"external_id": "c-1", "tier": "vip"}, None, "", "identity_not_configured"),
        ({"tier": "vip"}, "sign", "s3cret", "bad_identity"),
    ],
)
def test_bad_identities(
    record: dict[str, str], signature: str | None, secret: str, code: str
) -> None:
    sig = sign(record, "s3cret") if signature == "sign" else (signature or "")
    with pytest.raises(Invalid) as raised:
        verify(record, sig, secret)
    assert raised.value.code == code


def test_tampering_breaks_the_signature() -> None:
    record = {"external_id": "c-1", "tier": "standard"}
    signature = sign(record, "k")
    with pytest.raises(Invalid):
        verify({**record, "tier": "vip"}, signature, "k")


def test_free_text_fields_are_masked_and_the_key_is_kept() -> None:
    record = {
        "external_id": "4111111111111111",
        "name": "Ana 4111 1111 1111 1111",
        "email": "ana@example.com",
        "tier": "vip",
        "account_status": "ssn 219-09-9998",
        "attributes": {
            "note": "pays with 5555-5555-5555-4444",
            "iban": "DE89 3704 0044 0532 0130 00",
            "card": 378282246310005,
            "orders": [12, "card 6011 1111 1111 1117"],
            "4111111111111111": True,
            "plan": "gold",
        },
    }
    assert masked(verify(record, sign(record, "k"), "k")) == {
        "external_id": "4111111111111111",
        "name": "Ana [card ending 1111]",
        "email": "ana@example.com",
        "tier": "vip",
        "account_status": "ssn [SSN redacted]",
        "attributes": {
            "note": "pays with [card ending 4444]",
            "iban": "[IBAN redacted]",
            "card": "[card ending 0005]",
            "orders": [12, "card [card ending 1117]"],
            "[card ending 1111]": True,
            "plan": "gold",
        },
    }


def test_attributes_must_be_an_object() -> None:
    record = {"external_id": "c-1", "attributes": ["a"]}
    with pytest.raises(Invalid) as raised:
        verify(record, sign(record, "k"), "k")
    assert raised.value.code == "bad_identity"
