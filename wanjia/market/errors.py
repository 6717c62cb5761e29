"""The market's own refusal: a request that is well-formed but conflicts with
the state of things (sold out, window closed, already ordered). The API answers
409; the pages show the message in place."""


class Conflict(Exception):
    def __init__(self, message: str, *, field: str = "__all__"):
        super().__init__(str(message))
        self.message = str(message)
        self.field = field
