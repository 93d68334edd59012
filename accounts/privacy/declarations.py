"""What accounts, and the parts of Django and allauth it runs on, hold about a person."""

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.privacy.formats import when
from accounts.privacy.registry import (
    Anonymise,
    Blank,
    Delete,
    ErasureContext,
    InSection,
    Keep,
    NotInDownload,
    Person,
    PersonalData,
    Section,
    declarations,
    register,
)

ROLE_NOT_DATA = "a right to run the platform, shown as the role in 'account'; erasure takes it away"


def _account(users: QuerySet) -> dict:
    person = users.get()
    return {
        "name": person.name,
        "email": person.email,
        "role": person.role,
        "language": person.language,
        "name_public": person.name_public,
        "date_joined": when(person.date_joined),
        "last_login": when(person.last_login),
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=person).order_by("pk")
        ],
        # What the person logs in with at their institution, and what it told us when the
        # account was made. Never tokens: none are stored (settings.py).
        "institution_accounts": [
            {
                "provider": account.provider,
                "uid": account.uid,
                "linked_at": when(account.date_joined),
                "last_login": when(account.last_login),
                "claims_kept": account.extra_data,
            }
            for account in SocialAccount.objects.filter(user=person).order_by("pk")
        ],
    }


def _account_anonymise(users: QuerySet, context: ErasureContext) -> None:
    users.update(
        name=context.erased_name,
        email=context.erased_email,
        password=make_password(None),
        is_active=False,
        is_staff=False,
        is_superuser=False,
        name_public=False,
    )


def _student_profile(profiles: QuerySet) -> dict | None:
    profile = profiles.select_related("institution").first()
    if profile is None:
        return None
    return {
        "kind": "student",
        "institution": profile.institution.name if profile.institution else None,
        "programme": profile.programme,
        "level": profile.level,
        "study_year": profile.study_year,
        "themes": sorted(profile.themes.values_list("name", flat=True)),
        "languages": profile.languages,
        "weekdays": profile.weekdays,
    }


def _researcher_profile(profiles: QuerySet) -> dict | None:
    profile = profiles.select_related("institution").first()
    if profile is None:
        return None
    return {
        "kind": "researcher",
        "institution": profile.institution.name if profile.institution else None,
        "position": profile.position,
        "expertise": profile.expertise,
        "themes": sorted(profile.themes.values_list("name", flat=True)),
    }


def _sessions_of(sessions: QuerySet, person: Person) -> QuerySet:
    # Sessions are signed blobs without a user column: each live one has to be read.
    user_key = str(person.user_id)
    mine = [
        session.pk
        for session in sessions.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get("_auth_user_id") == user_key
    ]
    return sessions.filter(pk__in=mine)


def _admin_log_about(entries: QuerySet, person: Person) -> QuerySet:
    """Admin log lines about a row that is the person's own: their account, their place.

    Django copies the row's name (which holds the person's name) into each line."""
    about = Q()
    for declaration in declarations():
        if not declaration.own or declaration.tie is not None:
            continue
        model = declaration.model_class
        if model._meta.auto_created:
            continue
        pks = [str(pk) for pk in declaration.rows(person).values_list("pk", flat=True)]
        if pks:
            content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
            about |= Q(content_type=content_type, object_id__in=pks)
    return entries.filter(about) if about else entries.none()


def _admin_log_anonymise(entries: QuerySet, context: ErasureContext) -> None:
    entries.update(object_repr=context.erased_name)


def _admin_changes(entries: QuerySet) -> list[dict]:
    return [
        {
            "when": when(entry.action_time),
            "what": entry.get_action_flag_display(),
            "kind": entry.content_type.name if entry.content_type else None,
            "object": entry.object_repr,
        }
        for entry in entries.select_related("content_type").order_by("action_time", "pk")
    ]


def register_declarations() -> None:
    register(
        PersonalData(
            model="accounts.User",
            person="pk",
            fields=("name", "email", "password", "last_login", "language", "name_public"),
            download=Section("account", _account),
            erase=Anonymise(
                _account_anonymise,
                "name and address replaced by placeholders, password unusable, switched off",
            ),
        ),
        PersonalData(
            model="accounts.User_groups",
            person="user",
            fields=("group",),
            download=NotInDownload(ROLE_NOT_DATA),
            erase=Delete(),
        ),
        PersonalData(
            model="accounts.User_user_permissions",
            person="user",
            fields=("permission",),
            download=NotInDownload(ROLE_NOT_DATA),
            erase=Delete(),
        ),
        PersonalData(
            model="account.EmailAddress",
            person="user",
            fields=("email",),
            download=InSection("account"),
            # Verified or not, every address of the account goes.
            erase=Delete(),
        ),
        PersonalData(
            model="account.EmailConfirmation",
            person="email_address__user",
            fields=("key",),
            download=NotInDownload("a one-time key to confirm an address; the address is shown"),
            erase=Delete(),
        ),
        PersonalData(
            model="socialaccount.SocialAccount",
            person="user",
            fields=("uid", "extra_data"),
            download=InSection("account"),
            erase=Delete(),
        ),
        PersonalData(
            model="mfa.Authenticator",
            person="user",
            fields=("data",),
            download=NotInDownload(
                "the secrets of the authenticator app and the recovery codes: a file that "
                "held them would let anyone who finds it pass the second step"
            ),
            erase=Delete(),
        ),
        PersonalData(
            model="socialaccount.SocialToken",
            person="account__user",
            fields=("token", "token_secret"),
            download=NotInDownload("a secret of the institution login; never stored on purpose"),
            erase=Delete(),
        ),
        PersonalData(
            model="sessions.Session",
            person=None,
            tie=_sessions_of,
            fields=("session_data",),
            download=NotInDownload("a signed-in browser, holding only that it is signed in"),
            erase=Delete(),
        ),
        PersonalData(
            model="accounts.StudentProfile",
            person="user",
            fields=("programme", "study_year", "languages", "weekdays"),
            download=Section("profile", _student_profile),
            # Institution and level stay: the impact figures count by them, and without a
            # name they point at nobody.
            erase=Blank({"programme": "", "study_year": None, "languages": [], "weekdays": []}),
        ),
        PersonalData(
            model="accounts.StudentProfile_themes",
            person="studentprofile__user",
            fields=("theme",),
            download=InSection("profile"),
            erase=Delete(),
        ),
        PersonalData(
            model="accounts.ResearcherProfile",
            person="user",
            fields=("expertise",),
            download=Section("profile", _researcher_profile),
            erase=Blank({"expertise": ""}),
        ),
        PersonalData(
            model="accounts.ResearcherProfile_themes",
            person="researcherprofile__user",
            fields=("theme",),
            download=InSection("profile"),
            erase=Delete(),
        ),
        PersonalData(
            model="accounts.ErasureFailure",
            person="user",
            fields=("reason",),
            download=NotInDownload("a note to coordinators that the retention job failed"),
            erase=Delete(),
        ),
        PersonalData(
            model="admin.LogEntry",
            person="user",
            own=False,
            fields=("user",),
            download=Section("admin_changes", _admin_changes),
            erase=Keep("the admin's record of who changed what; it names the anonymous account"),
        ),
        PersonalData(
            model="admin.LogEntry",
            person=None,
            tie=_admin_log_about,
            own=False,
            fields=("object_repr",),
            download=NotInDownload("coordinators' record of changes to rows that are shown"),
            erase=Anonymise(_admin_log_anonymise, "the copied name replaced by the placeholder"),
        ),
    )
