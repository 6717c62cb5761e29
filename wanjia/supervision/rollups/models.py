"""Rollups: every registered figure (core.figures) per compound, rolled up to
company, street, district and city, per month ("2026-12"). The regulator's
pages, rankings, exports and the API read these rows, never the modules'
event tables, so their cost does not grow with the city's history."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    CITY = "city", _("市")
    DISTRICT = "district", _("区")
    STREET = "street", _("街道")
    COMPANY = "company", _("物业企业")
    COMPOUND = "compound", _("小区")


class Rollup(models.Model):
    """One figure of one unit (a compound, a company, a region) for one month.
    ``value`` is None when there was nothing to measure (no cases: no rate)."""

    period = models.CharField(_("统计期"), max_length=7)  # "YYYY-MM"
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    unit_id = models.PositiveIntegerField()
    code = models.CharField(_("指标"), max_length=80)  # a figure's key, or "supervision.index"
    value = models.FloatField(_("数值"), null=True)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("指标汇总")
        verbose_name_plural = _("指标汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "level", "unit_id", "code"], name="sup_rollup_once"
            )
        ]
        indexes = [
            models.Index(fields=["period", "level", "code"], name="sup_rollup_table"),
            models.Index(fields=["level", "unit_id", "code", "period"], name="sup_rollup_series"),
        ]


class RollupRun(models.Model):
    """One computation of a month (the job's log: when, how many rows, how long)."""

    period = models.CharField(max_length=7)
    started_at = models.DateTimeField(default=timezone.now)
    seconds = models.FloatField(default=0)
    rows = models.PositiveIntegerField(default=0)
    compounds = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]


class RankPlace(models.Model):
    """A compound's place in one region's ranking of one month (the composite
    index, best first; ties share a rank and follow by name), written by the
    job with the month's rollups for the city, every district and every
    street. A page of the ranking is then a range of positions, its top and
    bottom five the two ends: reading it does not grow with the city."""

    period = models.CharField(max_length=7)
    region_id = models.PositiveIntegerField()
    position = models.PositiveIntegerField()  # 1…n without gaps: the row's place in the list
    rank = models.PositiveIntegerField()  # 1, 2, 2, 4…: ties share it
    compound_id = models.PositiveIntegerField()
    value = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["period", "region_id", "position"], name="sup_rankplace_position"
            )
        ]
        indexes = [
            models.Index(
                fields=["period", "region_id", "compound_id"], name="sup_rankplace_compound"
            )
        ]
