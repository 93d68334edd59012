from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render

from partners.enums import PUBLIC_STATES
from partners.models import Theme
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
