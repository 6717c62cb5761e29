"""Notifications: the in-app inbox first, external channels through the outbox.

``notify()`` is the one entry point for every module."""

from django.db import transaction

from .models import Notification


def notify(
    *, recipients, title: str, body: str = "", link: str = "", kind: str = ""
) -> list[Notification]:
    """Put a message in each recipient's inbox (and, once channels are configured,
    queue it for them). Safe to call inside a transaction: nothing leaves the
    process before commit."""
    users = [u for u in dict.fromkeys(recipients) if u is not None]
    with transaction.atomic():
        return Notification.objects.bulk_create(
            [
                Notification(recipient=u, title=title[:200], body=body, link=link[:300], kind=kind)
                for u in users
            ]
        )
