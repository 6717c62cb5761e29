"""Read a page's forms the way a browser would submit them.

``forms_of(html)`` returns every ``<form>`` with the (name, value) pairs a browser
sends when the form is submitted unchanged: unchecked boxes are left out, a select
sends its selected option (or its first one), a textarea its text without the
leading newline, disabled controls nothing, and a date, time, datetime-local or
number input whose value the browser would not accept sends "" (HTML "value
sanitization"), which is how a form that renders 1950/03/02 erases a birth date."""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

_VALID = {
    "date": re.compile(r"^\d{4}-\d{2}-\d{2}$"),
    "datetime-local": re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$"),
    "time": re.compile(r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$"),
    "month": re.compile(r"^\d{4}-\d{2}$"),
    "number": re.compile(r"^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$"),
}
_NOT_SENT = {"submit", "button", "image", "reset", "file"}


@dataclass
class Form:
    method: str
    action: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    # True when a control a person sees starts with a value from the record
    shows_values: bool = False
    submitter: tuple[str, str] | None = None

    def data(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for name, value in self.fields + ([self.submitter] if self.submitter else []):
            out.setdefault(name, []).append(value)
        return out


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.select: dict | None = None
        self.option: dict | None = None
        self.textarea: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.form = Form((a.get("method") or "get").lower(), a.get("action") or "")
            self.forms.append(self.form)
        elif self.form is None or "disabled" in a and tag != "option":
            return
        elif tag == "input":
            self._input(a)
        elif tag == "button" and (a.get("type") or "submit") == "submit":
            if self.form.submitter is None and a.get("name"):
                self.form.submitter = (a["name"], a.get("value") or "")
        elif tag == "select" and a.get("name"):
            self.select = {"name": a["name"], "multiple": "multiple" in a, "options": []}
        elif tag == "option" and self.select is not None:
            self.option = {**a, "text": ""}
            self.select["options"].append(self.option)
        elif tag == "textarea" and a.get("name"):
            self.textarea = {"name": a["name"], "text": ""}

    def _input(self, a):
        kind = (a.get("type") or "text").lower()
        name, value = a.get("name"), a.get("value")
        if not name or kind in _NOT_SENT:
            if kind in ("submit", "image") and name and self.form.submitter is None:
                self.form.submitter = (name, value or "")
            return
        if kind in ("checkbox", "radio"):
            if "checked" in a:
                self.form.fields.append((name, "on" if value is None else value))
                self.form.shows_values = True
            return
        value = value or ""
        if kind in _VALID and not _VALID[kind].match(value):
            value = ""
        if value and kind != "hidden":
            self.form.shows_values = True
        self.form.fields.append((name, value))

    def handle_data(self, data):
        if self.option is not None:
            self.option["text"] += data
        if self.textarea is not None:
            self.textarea["text"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "option":
            self.option = None
        elif tag == "select" and self.select is not None:
            self._close_select()
        elif tag == "textarea" and self.textarea is not None:
            text = self.textarea["text"]
            text = text[1:] if text.startswith("\n") else text
            self.form.fields.append((self.textarea["name"], text))
            self.form.shows_values |= bool(text)
            self.textarea = None

    def _close_select(self):
        s, self.select = self.select, None
        options = [o for o in s["options"] if "disabled" not in o]
        chosen = [o for o in options if "selected" in o]
        if chosen:
            self.form.shows_values = True
        elif not s["multiple"] and options:
            chosen = options[:1]
        for o in chosen if s["multiple"] else chosen[-1:]:
            value = o.get("value")
            self.form.fields.append((s["name"], o["text"].strip() if value is None else value))


def forms_of(html: str) -> list[Form]:
    parser = _Parser()
    parser.feed(html)
    parser.close()
    return parser.forms
