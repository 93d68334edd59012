"""Every write on people and their profiles goes through here."""

from django.conf import settings
from django.db import transaction

from accounts.enums import Role
from accounts.models import Institution, ResearcherProfile, StudentProfile, User
from accounts.selectors import institution_for_email


class AccountError(Exception):
    """A rule about accounts was broken; the message is fit to show the user."""


@transaction.atomic
def profile_ensure(
    *, user: User, institution: Institution | None = None
) -> StudentProfile | ResearcherProfile | None:
    """Create the profile that belongs to the user's role, if it is missing.

    `institution` is the one the person's institution named itself (SURFconext's home
    organisation). Without it, the institution is proposed from the email domain; people
    confirm or change it on the profile page. An existing profile is left as it is.
    """
    if user.role not in {Role.STUDENT, Role.RESEARCHER}:
        return None
    institution = institution or institution_for_email(user.email)
    if user.role == Role.STUDENT:
        profile, _created = StudentProfile.objects.get_or_create(
            user=user,
            defaults={
                "institution": institution,
                "level": institution.kind if institution else "",
            },
        )
        return profile
    profile, _created = ResearcherProfile.objects.get_or_create(
        user=user, defaults={"institution": institution}
    )
    return profile


def user_set_language(*, user: User, language: str) -> None:
    if language not in {code for code, _name in settings.LANGUAGES}:
        raise AccountError(language)
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])


def user_update_name(*, user: User, name: str) -> None:
    name = name.strip()
    if not name:
        raise AccountError("empty name")
    if user.name != name:
        user.name = name
        user.save(update_fields=["name"])


def user_set_name_public(*, user: User, name_public: bool) -> None:
    """Give or take back the consent to show the person's name on public pages.

    Public pages read the consent when they are built, so taking it back hides the name on
    the next page view; nothing else is changed or sent.
    """
    if user.name_public != name_public:
        user.name_public = name_public
        user.save(update_fields=["name_public"])


@transaction.atomic
def student_profile_update(
    *,
    profile: StudentProfile,
    institution,
    programme: str,
    level: str,
    study_year: int | None,
    themes,
    languages: list[str],
    weekdays: list[int],
) -> StudentProfile:
    profile.institution = institution
    profile.programme = programme.strip()
    profile.level = level
    profile.study_year = study_year
    profile.languages = sorted(set(languages))
    profile.weekdays = sorted({int(day) for day in weekdays})
    profile.save()
    profile.themes.set(themes)
    return profile


@transaction.atomic
def researcher_profile_update(
    *, profile: ResearcherProfile, institution, position: str, expertise: str, themes
) -> ResearcherProfile:
    profile.institution = institution
    profile.position = position
    profile.expertise = expertise.strip()
    profile.save()
    profile.themes.set(themes)
    return profile
