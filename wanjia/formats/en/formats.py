"""English date formats used by the pages (Django's own for everything else).
SHORT_DATETIME_FORMAT is "a day and a time this year", as on notices and windows."""

MONTH_DAY_FORMAT = "M j"
SHORT_DATETIME_FORMAT = "M j, H:i"
