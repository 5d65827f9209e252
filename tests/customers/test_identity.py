"""Signed customer identity."""

from __future__ import annotations

import pytest

from helpline.core.errors import Invalid
from helpline.customers.identity import sign, verify


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
