from allauth.mfa.base.internal.flows import post_authentication
from allauth.mfa.recovery_codes.views import ViewRecoveryCodesView
from allauth.mfa.totp.internal import flows as totp_flows
from allauth.mfa.totp.views import ActivateTOTPView
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.enums import Role
from accounts.forms import LanguageForm, NameForm, ResearcherProfileForm, StudentProfileForm
from accounts.selectors import institution_for_email
from accounts.services import (
    profile_ensure,
    researcher_profile_update,
    student_profile_update,
    user_set_language,
    user_set_name_public,
    user_update_name,
)


@login_required
def dashboard(request):
    user = request.user
    profile = profile_ensure(user=user)
    return render(
        request,
        "accounts/dashboard.html",
        {"profile": profile, "profile_complete": profile is None or profile.is_complete},
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request):
    user = request.user
    profile = profile_ensure(user=user)
    profile_form_class = {
        Role.STUDENT: StudentProfileForm,
        Role.RESEARCHER: ResearcherProfileForm,
    }.get(user.role)

    if request.method == "POST":
        name_form = NameForm(request.POST, prefix="user")
        profile_form = (
            profile_form_class(request.POST, prefix="profile") if profile_form_class else None
        )
        if name_form.is_valid() and (profile_form is None or profile_form.is_valid()):
            user_update_name(user=user, name=name_form.cleaned_data["name"])
            user_set_name_public(user=user, name_public=name_form.cleaned_data["name_public"])
            if isinstance(profile_form, StudentProfileForm):
                student_profile_update(profile=profile, **profile_form.cleaned_data)
            elif isinstance(profile_form, ResearcherProfileForm):
                researcher_profile_update(profile=profile, **profile_form.cleaned_data)
            messages.success(request, _("Your profile has been saved."))
            return redirect("accounts:dashboard")
        messages.error(request, _("Not saved yet: please check the fields marked below."))
    else:
        name_form = NameForm(
            initial={"name": user.name, "name_public": user.name_public}, prefix="user"
        )
        profile_form = _initial_profile_form(profile_form_class, profile, user)

    # Say where a prefilled institution came from, until the student confirms it.
    proposed = None
    if user.role == Role.STUDENT and not profile.is_complete:
        guess = institution_for_email(user.email)
        if guess is not None and profile.institution_id in (None, guess.pk):
            proposed = guess
    return render(
        request,
        "accounts/profile_form.html",
        {"name_form": name_form, "profile_form": profile_form, "proposed_institution": proposed},
    )


def _initial_profile_form(form_class, profile, user):
    if form_class is None:
        return None
    if form_class is StudentProfileForm:
        institution = profile.institution or institution_for_email(user.email)
        initial = {
            "institution": institution,
            "programme": profile.programme,
            "level": profile.level or (institution.kind if institution else ""),
            "study_year": profile.study_year,
            "themes": list(profile.themes.all()),
            "languages": profile.languages,
            "weekdays": profile.weekdays,
        }
    else:
        initial = {
            "institution": profile.institution,
            "position": profile.position,
            "expertise": profile.expertise,
            "themes": list(profile.themes.all()),
        }
    return form_class(initial=initial, prefix="profile")


@require_POST
def language_switch(request):
    """Switch the interface language for this browser and, when signed in, the profile."""
    form = LanguageForm(request.POST)
    target = request.POST.get("next") or request.headers.get("referer") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    if not form.is_valid():
        return response
    language = form.cleaned_data["language"]
    if request.user.is_authenticated:
        user_set_language(user=request.user, language=language)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=True,
    )
    return response


def _next_url(request) -> str:
    """The page the person was on their way to, if it is on this site."""
    target = request.GET.get(REDIRECT_FIELD_NAME, "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


class TwoFactorSetupView(ActivateTOTPView):
    """allauth's set-up of an authenticator app, on our own page, then the recovery codes.

    The first code from the app proves the person holds it, so it also counts as this
    session's second factor (accounts.two_factor.session_passed_two_factor): a
    coordinator goes on to the admin page they asked for without typing a second code.
    """

    template_name = "accounts/two_factor_setup.html"

    def get_context_data(self, **kwargs) -> dict:
        return super().get_context_data(**kwargs) | {"next_url": _next_url(self.request)}

    def form_valid(self, form):
        authenticator, _recovery_codes = totp_flows.activate_totp(self.request, form)
        post_authentication(self.request, authenticator)
        url = reverse("mfa_view_recovery_codes")
        if next_url := _next_url(self.request):
            url = f"{url}?{urlencode({REDIRECT_FIELD_NAME: next_url})}"
        return HttpResponseRedirect(url)


class TwoFactorRecoveryCodesView(ViewRecoveryCodesView):
    """allauth's recovery codes on our own page, with a way on to where the person was going."""

    template_name = "accounts/two_factor_recovery_codes.html"

    def get_context_data(self, **kwargs) -> dict:
        continue_url = _next_url(self.request) or reverse("mfa_index")
        return super().get_context_data(**kwargs) | {"continue_url": continue_url}


two_factor_setup = TwoFactorSetupView.as_view()
two_factor_recovery_codes = TwoFactorRecoveryCodesView.as_view()
