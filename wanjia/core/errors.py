"""How a refused write reaches a page: field errors a template can read."""

from django.core.exceptions import ValidationError


def errors_of(exc: ValidationError) -> dict:
    """Field -> messages; errors not tied to a field go under "all" (templates
    cannot read "__all__")."""
    if hasattr(exc, "error_dict"):
        return {("all" if k == "__all__" else k): v for k, v in exc.message_dict.items()}
    return {"all": exc.messages}
