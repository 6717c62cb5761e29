"""Form widgets whose rendered value a browser accepts in every language."""

from django import forms


class HtmlDateInput(forms.DateInput):
    """``<input type="date">`` with its value always as YYYY-MM-DD.

    A browser drops any other value of a date input (HTML "value sanitization"),
    and Django renders dates in the active language's first input format
    (zh-hans: 1950/03/02). A form that starts with a date would then send it back
    empty, and saving an unchanged edit form erased the date."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")
