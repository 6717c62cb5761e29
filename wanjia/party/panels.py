"""What the party layer adds to other apps' pages (``wanjia.core.panels``)."""

from wanjia.core.scoping import can

from . import selectors


def household_panel(request, household) -> dict | None:
    """On the console's household page: the party members who answer for the
    household's building (党员联户), for who may see party data there."""
    if not (
        request.user.is_superuser
        or can(
            request.user,
            "party.view",
            compound=household.compound,
            building_id=household.building_id,
        )
    ):
        return None
    return {"members": selectors.responsible_users(household.building)}
