"""The partner organisation's feedback on a group that has finished its work."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from partners.rules import is_member
from projects.forms.reciprocity import FeedbackForm
from projects.models import Cohort, PartnerFeedback
from projects.services.feedback import FeedbackError, feedback_give, feedback_problem


@login_required
@require_http_methods(["GET", "POST"])
def feedback_view(request, cohort_pk: int, organisation_pk: int):
    cohort = get_object_or_404(Cohort.objects.select_related("project"), pk=cohort_pk)
    organisation = get_object_or_404(cohort.project.organisations.all(), pk=organisation_pk)
    # Only the organisation's own members; everyone else, coordinators too, sees no such page
    # (coordinators read the feedback in the admin).
    if not is_member(request.user, organisation):
        raise Http404
    given = (
        PartnerFeedback.objects.select_related("author")
        .filter(cohort=cohort, organisation=organisation)
        .first()
    )
    problem = feedback_problem(cohort=cohort, organisation=organisation, author=request.user)
    status = 200
    if request.method == "POST":
        form = FeedbackForm(request.POST)
        if form.is_valid():
            try:
                feedback_give(
                    cohort_id=cohort.pk,
                    organisation_id=organisation.pk,
                    author=request.user,
                    text=form.text(),
                )
            except FeedbackError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Thank you! Your feedback has been saved."))
                return redirect("projects:todo")
        status = 400
    else:
        form = FeedbackForm()
    return render(
        request,
        "projects/reciprocity/feedback.html",
        {
            "cohort": cohort,
            "organisation": organisation,
            "given": given,
            "problem": problem,
            "form": form,
        },
        status=status,
    )
