from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    """行业监管: the housing authority's year. Four areas, one package each —
    rollups (figures per compound rolled up to the city, the KPIs, the wall
    screen), credit (scores with their evidence, objections, rankings),
    inspections (checklists, findings, rectification, notices to companies) and
    exemplary cases (先进典型). It reads the other modules only through the
    kernel's registries (figures, conduct, evidence), never by importing them."""

    name = "wanjia.supervision"
    label = "supervision"
    verbose_name = _("行业监管")

    def ready(self):
        from .credit import setup as credit
        from .exemplary import setup as exemplary
        from .inspections import setup as inspections
        from .rollups import setup as rollups
        from .wall import setup as wall

        for area in (rollups, inspections, exemplary, credit, wall):
            area.ready()
