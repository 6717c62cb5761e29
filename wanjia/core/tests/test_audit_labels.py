"""The audit log reads as sentences: every action code the product writes has a
phrase registered by its app, and the page shows it."""

import re
from pathlib import Path

from django.urls import reverse

from wanjia.core.audit import action_label, audit, described_actions

ROOT = Path(__file__).resolve().parents[2]
CODE = re.compile(r"""(?:action=|_audit_login\()f?["']([a-z_]+\.[a-z_.{}]+)["']""")


def _codes_in_source() -> set[str]:
    found = set()
    for path in ROOT.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        found |= set(CODE.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_audit_action_in_the_code_has_a_phrase():
    described = described_actions()
    codes = _codes_in_source()
    assert len(codes) > 40
    missing = []
    for code in codes:
        pattern = re.compile("^" + re.sub(r"\\\{[a-z_]+\\\}", "[a-z_]+", re.escape(code)) + "$")
        if not any(pattern.match(d) for d in described):
            missing.append(code)
    assert not missing, missing


def test_the_audit_page_shows_the_phrase(login, world):
    audit(actor=world.manager_a, action="market.order.placed", compound=world.a)
    page = login(world.company_admin_a).get(reverse("audit_log")).content.decode()
    assert action_label("market.order.placed") == "下单"
    assert "下单" in page and "market.order.placed" in page
