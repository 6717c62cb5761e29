"""The supervision app's permissions, declared by each area."""

from .credit import access as credit  # noqa: F401
from .exemplary import access as exemplary  # noqa: F401
from .inspections import access as inspections  # noqa: F401
from .rollups import access as rollups  # noqa: F401
from .wall import access as wall  # noqa: F401
