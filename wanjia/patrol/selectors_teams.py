"""Reads for the team pages."""

from django.db.models import Prefetch

from .models import Team, TeamMember


def teams_of(compound) -> list[Team]:
    """The compound's teams, each with its members (guards first, then by name)."""
    members = TeamMember.objects.select_related("user").order_by("role", "user__display_name")
    return list(
        Team.objects.filter(compound=compound)
        .select_related("leader")
        .prefetch_related(Prefetch("memberships", queryset=members))
        .order_by("name", "pk")
    )


def team_rows():
    """Teams with their compound, for the gate."""
    return Team.objects.select_related("compound")


def member_rows():
    """Team members with their team's compound, for the gate."""
    return TeamMember.objects.select_related("team__compound")
