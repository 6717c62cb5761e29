"""The supervision app's models live with their area; Django finds them here."""

from .credit.models import *  # noqa: F403
from .exemplary.models import *  # noqa: F403
from .inspections.models import *  # noqa: F403
from .rollups.models import *  # noqa: F403
