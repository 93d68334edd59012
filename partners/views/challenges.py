from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from partners.attachment_types import attachment_content_type
from partners.enums import ChallengeAction, ChallengeState
from partners.forms.challenges import ChallengeForm, ChallengeMessageForm
from partners.models import Challenge, ChallengeAttachment, Organisation
from partners.readability import question_readability
from partners.selectors import challenge_for_detail, challenges_visible_to, organisation_for_member
from partners.services.challenge_workflow import allowed_actions, challenge_transition
from partners.services.challenges import challenge_create, challenge_message_post, challenge_update
from partners.services.errors import ChallengeError

EXAMPLE_QUESTION = (
    "Veel ouderen in De Kooi wonen alleen en zien weinig mensen. "
    "Hoe kunnen we samen met bewoners zorgen dat zij elkaar vaker ontmoeten?"
)


def _form_context(form, *, organisation, challenge=None):
    question = form["question"].value() or ""
    return {
        "form": form,
        "organisation": organisation,
        "challenge": challenge,
        "readability": question_readability(question),
        "example_question": EXAMPLE_QUESTION,
    }


def _submit_after_save(request, challenge: Challenge) -> None:
    action = (
        ChallengeAction.RESUBMIT
        if challenge.state == ChallengeState.NEEDS_INFO
        else ChallengeAction.SUBMIT
    )
    try:
        challenge_transition(
            challenge_id=challenge.pk,
            action=action,
            actor=request.user,
            expected_version=challenge.version,
        )
    except ChallengeError as error:
        messages.error(
            request, _("Saved as a draft, but not submitted yet. %(reason)s") % {"reason": error}
        )
    else:
        messages.success(
            request,
            _("Thank you! Your challenge has been submitted. A coordinator will look at it."),
        )


def _save_from_form(request, form, save, *, saved_message: str):
    """Save a valid form through `save`, then submit it when the person asked to.

    Returns the redirect after saving, or None to show the form again with what was typed
    and a message saying why it was not saved.
    """
    if not form.is_valid():
        messages.error(request, _("Not saved yet: please check the fields marked below."))
        return None
    try:
        challenge = save(form.cleaned_data)
    except ChallengeError as error:
        messages.error(request, str(error))
        return None
    if request.POST.get("intent") == "submit":
        _submit_after_save(request, challenge)
    else:
        messages.success(request, saved_message)
    return redirect("partners:challenge", pk=challenge.pk)


@login_required
@require_http_methods(["GET", "POST"])
def challenge_create_view(request, slug: str):
    try:
        organisation = organisation_for_member(slug=slug, user=request.user)
    except Organisation.DoesNotExist:
        raise Http404 from None
    if request.method == "POST":
        form = ChallengeForm(request.POST, request.FILES)
        saved = _save_from_form(
            request,
            form,
            lambda data: challenge_create(
                organisation=organisation,
                author=request.user,
                data=data,
                attachments=data["attachments"],
            ),
            saved_message=_("Your draft has been saved."),
        )
        if saved is not None:
            return saved
    else:
        form = ChallengeForm()
    return render(
        request, "partners/challenges/form.html", _form_context(form, organisation=organisation)
    )


@login_required
@require_http_methods(["GET", "POST"])
def challenge_edit_view(request, pk: int):
    challenge = get_object_or_404(challenges_visible_to(request.user), pk=pk)
    if not request.user.has_perm("partners.edit_challenge", challenge):
        if request.user.has_perm("partners.view_challenge_private", challenge):
            messages.error(
                request,
                _("This challenge can no longer be changed: it is %(state)s.")
                % {"state": challenge.get_state_display()},
            )
            return redirect("partners:challenge", pk=challenge.pk)
        raise Http404
    if request.method == "POST":
        form = ChallengeForm(request.POST, request.FILES)
        saved = _save_from_form(
            request,
            form,
            lambda data: challenge_update(
                challenge_id=challenge.pk,
                author=request.user,
                expected_version=data["version"],
                data=data,
                attachments=data["attachments"],
            ),
            saved_message=_("Your changes have been saved."),
        )
        if saved is not None:
            return saved
    else:
        # New uploads start empty: "attachments" on the challenge is its related manager,
        # not a value for the upload field (the files already there are listed apart).
        initial = {
            field: getattr(challenge, field)
            for field in ChallengeForm.base_fields
            if hasattr(challenge, field) and field != "attachments"
        }
        initial |= {
            "themes": challenge.themes.all(),
            "neighbourhoods": challenge.neighbourhoods.all(),
        }
        form = ChallengeForm(initial=initial)
    return render(
        request,
        "partners/challenges/form.html",
        _form_context(form, organisation=challenge.organisation, challenge=challenge),
    )


@login_required
def challenge_detail_view(request, pk: int):
    try:
        challenge = challenge_for_detail(pk=pk, user=request.user)
    except Challenge.DoesNotExist:
        raise Http404 from None
    is_coordinator = request.user.has_perm("partners.decide_challenge")
    return render(
        request,
        "partners/challenges/detail.html",
        {
            "challenge": challenge,
            "readability": question_readability(challenge.question),
            "can_edit": request.user.has_perm("partners.edit_challenge", challenge),
            "partner_actions": []
            if is_coordinator
            else allowed_actions(challenge, coordinator=False),
            "is_coordinator": is_coordinator,
            "message_form": ChallengeMessageForm(),
        },
    )


@login_required
@require_POST
def challenge_submit_view(request, pk: int):
    challenge = get_object_or_404(challenges_visible_to(request.user), pk=pk)
    action = request.POST.get("action")
    if action not in (ChallengeAction.SUBMIT, ChallengeAction.RESUBMIT):
        raise Http404
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    try:
        challenge_transition(
            challenge_id=challenge.pk, action=action, actor=request.user, expected_version=version
        )
    except ChallengeError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Thank you! Your challenge has been submitted. A coordinator will look at it."),
        )
    return redirect("partners:challenge", pk=challenge.pk)


@login_required
@require_POST
def challenge_message_view(request, pk: int):
    challenge = get_object_or_404(challenges_visible_to(request.user), pk=pk)
    form = ChallengeMessageForm(request.POST)
    if form.is_valid():
        try:
            challenge_message_post(
                challenge=challenge,
                author=request.user,
                body=form.cleaned_data["body"],
                internal=form.cleaned_data["is_internal"],
            )
        except ChallengeError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Your message has been sent."))
            return redirect(f"{challenge.get_absolute_url()}#gesprek")
    else:
        messages.error(request, _("Your message is empty or too long."))
    detail = challenge_for_detail(pk=pk, user=request.user)
    return render(
        request,
        "partners/challenges/detail.html",
        {
            "challenge": detail,
            "readability": question_readability(detail.question),
            "can_edit": request.user.has_perm("partners.edit_challenge", detail),
            "partner_actions": [],
            "is_coordinator": request.user.has_perm("partners.decide_challenge"),
            "message_form": form,
        },
        status=400,
    )


@login_required
def attachment_download_view(request, pk: int, attachment_pk: int):
    """Attachments are never public files: each download checks who is asking."""
    challenge = get_object_or_404(challenges_visible_to(request.user), pk=pk)
    attachment = get_object_or_404(ChallengeAttachment, pk=attachment_pk, challenge=challenge)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        # Decided again from the name, so rows stored with a browser's claim are served right.
        content_type=attachment_content_type(attachment.original_name),
    )
    response["Cache-Control"] = "private, no-store"
    return response
