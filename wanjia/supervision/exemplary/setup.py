"""What the exemplary area registers when the app is ready (called by SupervisionConfig.ready)."""


def ready() -> None:
    pass
