"""The page on which a project's lecturers and partner rank its applicants for stable mode."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from projects.forms.ranking import ApplicantRankingForm
from projects.models import Project
from projects.services.errors import EnrolmentError
from projects.services.ranking import (
    applicant_ranking_set,
    applicants_for_ranking,
    rankable_cohorts,
)


@login_required
@require_http_methods(["GET", "POST"])
def applicant_ranking_view(request, slug: str):
    project = get_object_or_404(Project, slug=slug)
    if not request.user.has_perm("projects.rank_applicants", project):
        raise Http404
    cohorts = list(rankable_cohorts(project).order_by("starts_on", "number"))
    applicants = applicants_for_ranking(project=project)
    if request.method == "GET":
        form = ApplicantRankingForm(applicants=applicants)
        return _page(request, project, cohorts, form)
    form = ApplicantRankingForm(request.POST, applicants=applicants)
    if not form.is_valid():
        return _page(request, project, cohorts, form, status=400)
    try:
        applicant_ranking_set(
            project=project, actor=request.user, ranked_student_ids=form.ranked_student_ids()
        )
    except EnrolmentError as error:
        messages.error(request, str(error))
        return _page(request, project, cohorts, form, status=400)
    messages.success(
        request,
        _("Your ranking has been saved. You can change it until the places are shared out."),
    )
    return redirect("projects:applicant_ranking", slug=project.slug)


def _page(request, project, cohorts, form, *, status=200):
    return render(
        request,
        "projects/student/applicant_ranking.html",
        {"project": project, "cohorts": cohorts, "form": form},
        status=status,
    )
