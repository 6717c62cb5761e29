"""The market refuses with the kernel's vocabulary (``wanjia.core.errors``):
a request that is well-formed but conflicts with the state of things (sold out,
window closed, already ordered) is a ``Conflict`` — 409 from the API, the
message in place on a page. Kept as an import path for the market's modules."""

from wanjia.core.errors import Conflict

__all__ = ["Conflict"]
