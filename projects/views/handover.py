"""The handover dossier's pages: the team writes, the partner decides, the next group reads.

Every page answers 404 to someone who may not see the dossier (STYLE.md): a group's handover
is not public, only its public summary and public products are (on the project page).
"""

from dataclasses import dataclass
from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.forms import BoundField
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from projects.forms.handover import DecisionForm, DossierForm, ProductForm
from projects.models import Cohort, HandoverDossier, HandoverProduct
from projects.services.handover import (
    CONTENT_FIELDS,
    DossierConflictError,
    HandoverError,
    dossier_content,
    dossier_decide,
    dossier_for,
    dossier_save,
    dossier_submit,
    product_add,
    product_remove,
)


def _dossier(request, cohort_pk: int) -> HandoverDossier:
    """The cohort's dossier if the person may read it, made on the first visit of the team or
    its guides; 404 otherwise (a later group only finds dossiers that exist and are approved)."""
    cohort = get_object_or_404(
        Cohort.objects.select_related("project", "handover__updated_by", "handover__decided_by"),
        pk=cohort_pk,
    )
    try:
        dossier = cohort.handover
    except HandoverDossier.DoesNotExist:
        dossier = HandoverDossier(cohort=cohort)
    if not request.user.has_perm("projects.view_handover", dossier):
        raise Http404
    if dossier.pk is None:
        try:
            dossier = dossier_for(cohort)
        except HandoverError:
            raise Http404 from None
    return dossier


@dataclass(frozen=True)
class FieldRow:
    """One field of the edit form; after a conflict, with what the other person saved."""

    field: BoundField
    theirs: str | None


@dataclass(frozen=True)
class ContentRow:
    label: str
    value: str


def _content_rows(content: dict[str, str]) -> list[ContentRow]:
    return [
        ContentRow(label=str(DossierForm.base_fields[name].label), value=content.get(name, ""))
        for name in CONTENT_FIELDS
    ]


def _page(
    request,
    dossier: HandoverDossier,
    *,
    form: DossierForm | None = None,
    product_form: ProductForm | None = None,
    conflict: DossierConflictError | None = None,
    status: int = 200,
):
    user = request.user
    may_edit = user.has_perm("projects.edit_handover", dossier)
    if may_edit and form is None:
        form = DossierForm(initial={"base_version": dossier.version, **dossier_content(dossier)})
    field_rows = []
    if may_edit:
        mine = {name: form[name].value() or "" for name in CONTENT_FIELDS}
        field_rows = [
            FieldRow(
                field=form[name],
                theirs=conflict.content[name]
                if conflict is not None and conflict.content[name] != mine[name]
                else None,
            )
            for name in CONTENT_FIELDS
        ]
    history = []
    if user.has_perm("projects.view_handover_history", dossier):
        history = [
            (version, _content_rows(version.content))
            for version in dossier.versions.select_related("saved_by").order_by("-number")
        ]
    return render(
        request,
        "projects/handover/dossier.html",
        {
            "dossier": dossier,
            "cohort": dossier.cohort,
            "project": dossier.cohort.project,
            "content_rows": _content_rows(dossier_content(dossier)),
            "form": form,
            "field_rows": field_rows,
            "conflict": conflict,
            "product_form": (product_form or ProductForm()) if may_edit else None,
            "products": list(dossier.products.order_by("added_at", "pk")),
            "history": history,
            "may_edit": may_edit,
            "may_decide": user.has_perm("projects.decide_handover", dossier),
            "may_view_team": user.has_perm("projects.view_team", dossier.cohort),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def dossier_view(request, cohort_pk: int):
    """The dossier: an edit form for the team while it may write, the text for everyone else.

    A save from an older version is refused and the page comes back with the person's own
    text in the form and the newer text beside it, carrying the newer version, so the next
    save, made knowingly, goes through.
    """
    dossier = _dossier(request, cohort_pk)
    if request.method == "GET":
        return _page(request, dossier)
    if not request.user.has_perm("projects.edit_handover", dossier):
        messages.error(
            request,
            _("The handover cannot be changed now: it is %(state)s.")
            % {"state": dossier.get_state_display().lower()},
        )
        return redirect("projects:handover", cohort_pk=cohort_pk)
    form = DossierForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Not saved yet: please check the fields marked below."))
        return _page(request, dossier, form=form, status=400)
    try:
        saved = dossier_save(
            dossier_id=dossier.pk,
            actor=request.user,
            base_version=form.base_version_or_unknown(),
            fields=form.content(CONTENT_FIELDS),
        )
    except DossierConflictError as conflict:
        data = request.POST.copy()
        data["base_version"] = str(conflict.version)
        # Said once, above the form (not also as a message), with the other text per field.
        return _page(request, dossier, form=DossierForm(data), conflict=conflict, status=409)
    except HandoverError as error:
        messages.error(request, str(error))
        return _page(request, dossier, form=form, status=400)
    if request.POST.get("intent") == "submit":
        _submit_after_save(request, dossier)
    else:
        messages.success(
            request, _("Saved. This is version %(number)d.") % {"number": saved.version}
        )
    return redirect("projects:handover", cohort_pk=cohort_pk)


def _submit_after_save(request, dossier: HandoverDossier) -> None:
    try:
        dossier_submit(dossier_id=dossier.pk, actor=request.user)
    except HandoverError as error:
        messages.error(request, _("Saved, but not submitted yet. %(reason)s") % {"reason": error})
    else:
        messages.success(
            request,
            _("Thank you! The handover is submitted. The partner or a lecturer will look at it."),
        )


@login_required
@require_POST
def product_add_view(request, cohort_pk: int):
    dossier = _dossier(request, cohort_pk)
    form = ProductForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("The product was not added: please check the fields below."))
        return _page(request, dossier, product_form=form, status=400)
    data = form.cleaned_data
    try:
        product_add(
            dossier_id=dossier.pk,
            actor=request.user,
            title=data["title"],
            url=data["url"],
            file=data["file"],
            public=data["public"],
        )
    except HandoverError as error:
        messages.error(request, str(error))
        return _page(request, dossier, product_form=form, status=400)
    messages.success(request, _("The product has been added."))
    return redirect(reverse("projects:handover", args=[cohort_pk]) + "#producten")


@login_required
@require_POST
def product_remove_view(request, cohort_pk: int, product_pk: int):
    dossier = _dossier(request, cohort_pk)
    product = get_object_or_404(HandoverProduct, pk=product_pk, dossier=dossier)
    try:
        product_remove(product_id=product.pk, actor=request.user)
    except HandoverError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("“%(title)s” has been removed.") % {"title": product.title})
    return redirect("projects:handover", cohort_pk=cohort_pk)


@require_safe
def product_file_view(request, cohort_pk: int, product_pk: int):
    """A product's file, for whoever may read the dossier, or anyone once it is public.

    Files are never served from MEDIA_ROOT directly: each download checks who is asking.
    """
    product = get_object_or_404(
        HandoverProduct.objects.select_related("dossier__cohort__project").exclude(file=""),
        pk=product_pk,
        dossier__cohort_id=cohort_pk,
    )
    if not request.user.has_perm("projects.download_handover_product", product):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise Http404
    try:
        handle = product.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=PurePath(product.file.name).name)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def decide_view(request, cohort_pk: int):
    """Where the partner, a lecturer or a coordinator approves the dossier or sends it back."""
    dossier = _dossier(request, cohort_pk)
    if not request.user.has_perm("projects.decide_handover", dossier):
        raise Http404
    if request.method == "GET":
        return _decide_page(request, dossier, DecisionForm())
    form = DecisionForm(request.POST)
    if not form.is_valid():
        if "decision" in form.errors:
            messages.error(request, _("Choose: approve, or ask for changes."))
        return _decide_page(request, dossier, form, status=400)
    try:
        dossier_decide(
            dossier_id=dossier.pk,
            actor=request.user,
            approve=form.approves,
            note=form.cleaned_data["note"],
        )
    except HandoverError as error:
        messages.error(request, str(error))
        return _decide_page(request, dossier, form, status=400)
    messages.success(
        request,
        _("The handover is approved. The next group will read it from its first day.")
        if form.approves
        else _("The team has been asked to make changes."),
    )
    return redirect("projects:handover", cohort_pk=cohort_pk)


def _decide_page(request, dossier: HandoverDossier, form: DecisionForm, *, status: int = 200):
    return render(
        request,
        "projects/handover/decide.html",
        {
            "dossier": dossier,
            "cohort": dossier.cohort,
            "project": dossier.cohort.project,
            "content_rows": _content_rows(dossier_content(dossier)),
            "products": list(dossier.products.order_by("added_at", "pk")),
            "form": form,
        },
        status=status,
    )
