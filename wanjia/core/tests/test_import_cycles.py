"""No import cycles between the modules of one app (issue #10): core's notify and
tasks, and delivery's planning and tasks, used to import each other."""

import grimp
import pytest

APPS = ("core", "estates", "party", "disputes", "market", "delivery")


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph("wanjia")


def _product_modules(graph, app):
    package = f"wanjia.{app}"
    return {
        m
        for m in graph.modules
        if (m == package or m.startswith(package + "."))
        and ".tests" not in m
        and ".migrations" not in m
    }


@pytest.mark.parametrize("app", APPS)
def test_no_import_cycle_inside_an_app(graph, app):
    modules = _product_modules(graph, app)
    cycles = []
    for importer in sorted(modules):
        for imported in graph.find_modules_directly_imported_by(importer):
            if imported in modules and imported != importer:
                back = graph.find_shortest_chain(importer=imported, imported=importer)
                if back and set(back) <= modules:
                    cycles.append(" -> ".join((importer, *back)))
    assert cycles == []
