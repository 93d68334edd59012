from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class Theme(models.Model):
    """A theme the city works on, such as loneliness or low literacy. Coordinators manage them."""

    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="theme_name_unique_ci")]

    def __str__(self) -> str:
        return self.name


class Neighbourhood(models.Model):
    """A Leiden neighbourhood (wijk), with how often its residents may be asked to take part."""

    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    district = models.CharField(_("district"), max_length=80, blank=True)
    resident_contact_budget = models.PositiveIntegerField(
        _("resident contact moments per month"),
        default=40,
        help_text=_("How many times a month residents here may be asked to take part."),
    )

    class Meta:
        verbose_name = _("neighbourhood")
        verbose_name_plural = _("neighbourhoods")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="neighbourhood_name_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.name
