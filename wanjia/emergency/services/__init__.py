from .after import (  # noqa: F401
    after_accept,
    after_return,
    after_save,
    city_rollup,
    figures_of,
    nominate,
    summary_save,
)
from .directives import (  # noqa: F401
    directive_issue,
    directive_tell,
    directives_remind,
    receipt_ack,
    receipt_read,
)
from .events import (  # noqa: F401
    JOB_KIND,
    active_for,
    event_close,
    event_open,
    event_prepare,
    resolve_area,
)
from .materials import material_move, material_request  # noqa: F401
from .reports import item_done, report_submit, reports_chase  # noqa: F401
from .roll import roll_answer  # noqa: F401
from .stock import stock_set  # noqa: F401
