from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render

from partners.enums import PUBLIC_STATES
from partners.models import Organisation, Theme
from partners.selectors import public_challenges


def themes_view(request):
    public = Q(
        challenges__state__in=PUBLIC_STATES,
        challenges__is_public=True,
        challenges__organisation__is_verified=True,
        challenges__organisation__is_public=True,
    )
    themes = Theme.objects.annotate(public_count=Count("challenges", filter=public))
    return render(request, "partners/public/themes.html", {"themes": themes})


def theme_view(request, slug: str):
    theme = get_object_or_404(Theme, slug=slug)
    challenges = (
        public_challenges()
        .filter(themes=theme)
        .prefetch_related("themes", "neighbourhoods")
        .order_by("-state_changed_at")
    )
    return render(request, "partners/public/theme.html", {"theme": theme, "challenges": challenges})


def organisation_view(request, slug: str):
    """A partner organisation's public page: who they are, their public challenges and (by the
    projects app's template tag) their completed projects. An organisation that chose not to
    be public, or is not verified yet, does not exist here."""
    organisation = get_object_or_404(
        Organisation.objects.prefetch_related("neighbourhoods"),
        slug=slug,
        is_public=True,
        is_verified=True,
    )
    challenges = (
        public_challenges()
        .filter(organisation=organisation)
        .prefetch_related("themes", "neighbourhoods")
        .order_by("-state_changed_at", "-pk")
    )
    return render(
        request,
        "partners/public/organisation.html",
        {"organisation": organisation, "challenges": challenges},
    )
