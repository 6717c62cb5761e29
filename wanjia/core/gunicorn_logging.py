"""gunicorn's logger with phone and ID numbers masked in the access log
(request line, query string, referer and any header). ``manage.py serve``
passes it as ``--logger-class``; imported by gunicorn only."""

from gunicorn.glogging import Logger

from .logs import mask_identifiers


class MaskingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {k: mask_identifiers(v) if isinstance(v, str) else v for k, v in atoms.items()}
