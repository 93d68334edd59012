from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.enums import Weekday


class OpLocatieOpening(models.Model):
    """One day a week that Op Locatie opens, from a date on.

    The schedule in force is every opening with the latest `valid_from` that has come; a
    change of days or hours is a new set of rows with a later `valid_from`, so the site can
    announce it before it starts and the old hours stay on record.
    """

    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    opens_at = models.TimeField(_("opens at"))
    closes_at = models.TimeField(_("closes at"))
    valid_from = models.DateField(
        _("from"),
        default=timezone.localdate,
        help_text=_("The first day these hours apply. Add new rows for a change."),
    )
    note = models.CharField(
        _("note"),
        max_length=200,
        blank=True,
        help_text=_("Shown with the hours, for example: walk-in hour from 13:00."),
    )

    class Meta:
        verbose_name = _("Op Locatie opening")
        verbose_name_plural = _("Op Locatie opening hours")
        ordering = ["-valid_from", "weekday", "opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="op_locatie_closes_after_opens",
            ),
            models.CheckConstraint(
                condition=models.Q(weekday__in=Weekday.values), name="op_locatie_weekday_valid"
            ),
            models.UniqueConstraint(
                fields=["valid_from", "weekday", "opens_at"], name="op_locatie_opening_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens_at:%H:%M}-{self.closes_at:%H:%M}"
