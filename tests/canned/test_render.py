"""Canned-response variables."""

from __future__ import annotations

from helpline.canned.render import first_name, render


def test_fills_known_and_blanks_unknown_variables() -> None:
    out = render(
        "Hi {{customer.first_name}}, {{ agent.name }} here. {{nope}}{{customer.email}}",
        {"customer.first_name": "Maria", "agent.name": "Ana Lopez", "customer.email": ""},
    )
    assert out.text == "Hi Maria, Ana Lopez here. "
    assert out.missing == ("nope", "customer.email")


def test_leaves_non_variables_alone() -> None:
    assert render("{{ }} {single} {{Upper}}", {}).text == "{{ }} {single} {{Upper}}"
    assert render("{{a}}{{a}}", {}).missing == ("a",)


def test_values_are_not_re_expanded() -> None:
    assert (
        render("{{customer.name}}", {"customer.name": "{{agent.name}}", "agent.name": "X"}).text
        == "{{agent.name}}"
    )


def test_first_name() -> None:
    assert first_name("  Ana  Lopez ") == "Ana"
    assert first_name("") == ""
