"""Op Locatie: its page with the opening hours (public), and the intake of questions at the
location (coordinators only; anyone else gets a 404, as for anything outside their scope)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts.rules import is_coordinator
from partners.forms.op_locatie import OpLocatieQuestionForm
from partners.services.errors import ChallengeError
from partners.services.op_locatie import (
    op_locatie_question_take_in,
    op_locatie_questions,
    opening_hours,
)

QUESTIONS_SHOWN = 50


def _coordinator_only(request) -> None:
    if not is_coordinator(request.user):
        raise Http404


@require_safe
def op_locatie_view(request):
    return render(
        request,
        "partners/op_locatie/page.html",
        {"hours": opening_hours(), "is_coordinator": is_coordinator(request.user)},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def question_create_view(request):
    """The short intake form. A valid form becomes a draft challenge; errors re-render the
    form with what was typed."""
    _coordinator_only(request)
    form = OpLocatieQuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            challenge = op_locatie_question_take_in(
                coordinator=request.user,
                asked_by=data["asked_by"],
                title=data["title"],
                question=data["question"],
                organisation=data["organisation"],
                themes=data["themes"],
                neighbourhood=data["neighbourhood"],
                resident_name=data["resident_name"],
                resident_phone=data["resident_phone"],
                resident_email=data["resident_email"],
            )
        except ChallengeError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("The question is saved as a draft challenge of %(organisation)s.")
                % {"organisation": challenge.organisation.name},
            )
            return redirect("partners:op-locatie-questions")
    return render(
        request,
        "partners/op_locatie/question_form.html",
        {"form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_safe
def questions_view(request):
    """The questions taken in at Op Locatie, with the residents' details while they are kept."""
    _coordinator_only(request)
    questions = list(op_locatie_questions()[:QUESTIONS_SHOWN])
    return render(request, "partners/op_locatie/questions.html", {"questions": questions})
