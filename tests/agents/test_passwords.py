"""The password policy and hashing (agents/auth.py), without a server."""

from __future__ import annotations

import asyncio

import pytest

from helpline.agents.auth import check_password, hash_password, password_matches
from helpline.core.errors import Invalid


@pytest.mark.parametrize(
    "password",
    [
        "short-1",  # under 10 characters
        "password1234",  # a common password
        "qwertyuiop12",  # a keyboard walk
        "ana.lopez-2024!",  # contains the e-mail's local part
        "LOPEZ-rocks-hard-77",  # contains the name, in another case
        "aaaaaaaaaaaaaaaa",  # a repeat
    ],
)
def test_weak_or_personal_passwords_are_refused(password: str) -> None:
    with pytest.raises(Invalid) as refused:
        check_password(password, email="Ana.Lopez@example.com", name="Ana Lopez")
    assert refused.value.code == "weak_password"
    assert refused.value.details == {"fields": ["password"]}
    assert refused.value.message


@pytest.mark.parametrize("password", ["Tr0ub4dor&3x!", "correct-horse-battery", "vK9#mq2Lw8zR"])
def test_strong_passwords_pass(password: str) -> None:
    check_password(password, email="ana@example.com", name="Ana Lopez")


async def test_hashing_runs_off_the_event_loop() -> None:
    """While a hash is computed the loop keeps running other tasks (it would freeze if Argon2
    ran on it)."""
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0)
    before = ticks
    stored = await hash_password("Tr0ub4dor&3x!")
    during_hash = ticks - before
    before = ticks
    assert await password_matches(stored, "Tr0ub4dor&3x!")
    during_verify = ticks - before
    assert not await password_matches(stored, "wrong-password")
    assert not await password_matches("not-a-hash", "anything")
    task.cancel()
    assert during_hash > 1 and during_verify > 1
