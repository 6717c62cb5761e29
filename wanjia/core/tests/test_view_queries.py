"""Handlers parse, call one selector or service, render (issue #10): no page or
API handler of these apps builds a queryset itself (``tools/view_queries.py``)."""

from tools.view_queries import scan


def test_no_handler_builds_its_own_queryset():
    hits = [str(h) for h in scan() if not h.justified]
    assert hits == [], "move these reads into the app's selectors.py:\n" + "\n".join(hits)
