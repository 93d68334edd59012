"""Pages for partner organisations: mine, register, search and join, the dashboard, members
and invitations.

Scope: an organisation's own pages are for its members and coordinators; its actions
(invite, decide on requests, remove, change roles) for its administrators and coordinators.
Everyone else gets 404, the same answer as for an organisation that does not exist, so the
pages reveal nothing about who is where.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from partners.enums import JoinRequestStatus, MembershipRole
from partners.forms.organisations import (
    InvitationForm,
    JoinRequestForm,
    MembershipRoleForm,
    OrganisationForm,
)
from partners.load import organisation_loads
from partners.models import JoinRequest, Membership, Organisation
from partners.services.errors import OrganisationError
from partners.services.organisations import (
    InvitationInvalidError,
    OrganisationNameTakenError,
    invitation_accept,
    invitation_create,
    invitation_expires_at,
    invitation_read,
    invitation_refusal,
    join_request_create,
    join_request_decide,
    membership_remove,
    membership_set_role,
    organisation_register,
)

SEARCH_RESULTS_MAX = 50

VIEW_PERM = "partners.view_organisation_private"
MANAGE_PERM = "partners.manage_organisation"


def _organisation_or_404(request, slug: str, *, perm: str = VIEW_PERM) -> Organisation:
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None or not request.user.has_perm(perm, organisation):
        raise Http404
    return organisation


def _require_perm_or_404(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise Http404


# --- Mine, register, search, join ----------------------------------------------------------


@login_required
@require_safe
def my_organisations_view(request):
    """ "Mijn organisatie": straight to it when there is one, a list when there are more."""
    memberships = list(
        Membership.objects.filter(user=request.user)
        .select_related("organisation")
        .order_by("organisation__name")
    )
    if len(memberships) == 1:
        return redirect("partners:organisation", slug=memberships[0].organisation.slug)
    pending = JoinRequest.objects.filter(
        user=request.user, status=JoinRequestStatus.PENDING
    ).select_related("organisation")
    return render(
        request,
        "partners/organisations/mine.html",
        {
            "memberships": memberships,
            "pending_requests": list(pending),
            "can_join": request.user.has_perm("partners.join_organisation"),
            "can_register": request.user.has_perm("partners.register_organisation"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create_view(request):
    _require_perm_or_404(request, "partners.register_organisation")
    if request.method == "POST":
        form = OrganisationForm(request.POST)
        if form.is_valid():
            try:
                organisation = organisation_register(user=request.user, **form.cleaned_data)
            except OrganisationNameTakenError as error:
                form.add_error("name", str(error))
                messages.error(
                    request, _("Not registered yet: please check the fields marked below.")
                )
            except OrganisationError as error:
                messages.error(request, str(error))
            else:
                messages.success(
                    request,
                    _(
                        "%(name)s is registered and you are its administrator. A coordinator "
                        "will check it soon. You will get an email when that is done."
                    )
                    % {"name": organisation.name},
                )
                return redirect("partners:organisation", slug=organisation.slug)
        else:
            messages.error(request, _("Not registered yet: please check the fields marked below."))
    else:
        form = OrganisationForm()
    return render(request, "partners/organisations/create.html", {"form": form})


def _searchable(user):
    """Organisations a partner can find: public ones, and their own."""
    mine = Membership.objects.filter(organisation=OuterRef("pk"), user=user)
    pending = JoinRequest.objects.filter(
        organisation=OuterRef("pk"), user=user, status=JoinRequestStatus.PENDING
    )
    return (
        Organisation.objects.annotate(is_mine=Exists(mine), has_pending=Exists(pending))
        .filter(Q(is_public=True) | Q(is_mine=True))
        .prefetch_related("neighbourhoods")
    )


@login_required
@require_safe
def organisation_search_view(request):
    _require_perm_or_404(request, "partners.join_organisation")
    query = request.GET.get("q", "").strip()[:100]
    results = []
    if query:
        results = list(
            _searchable(request.user)
            .filter(name__icontains=query)
            .order_by("name")[:SEARCH_RESULTS_MAX]
        )
        for organisation in results:
            organisation.join_form = JoinRequestForm(auto_id=f"join-{organisation.pk}-%s")
    return render(
        request,
        "partners/organisations/search.html",
        {"query": query, "results": results, "results_max": SEARCH_RESULTS_MAX},
    )


@login_required
@require_POST
def join_request_view(request, slug: str):
    _require_perm_or_404(request, "partners.join_organisation")
    organisation = get_object_or_404(_searchable(request.user), slug=slug)
    form = JoinRequestForm(request.POST, auto_id=f"join-{organisation.pk}-%s")
    if not form.is_valid():
        # Show the search result again with what was typed and why it was not sent.
        messages.error(request, _("Not sent yet: please check your message."))
        organisation.join_form = form
        return render(
            request,
            "partners/organisations/search.html",
            {"query": organisation.name, "results": [organisation]},
        )
    try:
        join_request_create(
            user=request.user, organisation=organisation, message=form.cleaned_data["message"]
        )
    except OrganisationError as error:
        messages.error(request, str(error))
        search = reverse("partners:organisation-search")
        return redirect(f"{search}?{urlencode({'q': organisation.name})}")
    messages.success(
        request,
        _(
            "Your request has been sent to the administrators of %(name)s. You will get an "
            "email when they decide."
        )
        % {"name": organisation.name},
    )
    return redirect("partners:my-organisations")


# --- The organisation's own pages ----------------------------------------------------------


@login_required
@require_safe
def organisation_view(request, slug: str):
    """The dashboard: details, verification, team budget and the challenges with their state.

    A fixed number of queries, however many challenges there are.
    """
    organisation = _organisation_or_404(request, slug)
    challenges = list(
        organisation.challenges.prefetch_related("themes").order_by("-state_changed_at", "-pk")
    )
    return render(
        request,
        "partners/organisations/dashboard.html",
        {
            "organisation": organisation,
            "neighbourhoods": list(organisation.neighbourhoods.all()),
            "challenges": challenges,
            "load": organisation_loads([organisation])[organisation.pk],
            "can_manage": request.user.has_perm(MANAGE_PERM, organisation),
        },
    )


def _members_page(request, organisation, *, invitation_form=None, status: int = 200):
    can_manage = request.user.has_perm(MANAGE_PERM, organisation)
    memberships = (
        organisation.memberships.select_related("user")
        .annotate(
            admin_first=Case(
                When(role=MembershipRole.ADMIN, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("admin_first", "user__name", "pk")
    )
    join_requests = organisation.join_requests.filter(
        status=JoinRequestStatus.PENDING
    ).select_related("user")
    invitations = list(
        organisation.invitations.filter(accepted_at__isnull=True)
        .select_related("invited_by")
        .order_by("-created_at")
    )
    for invitation in invitations:
        invitation.expires_at = invitation_expires_at(invitation)
    return render(
        request,
        "partners/organisations/members.html",
        {
            "organisation": organisation,
            "memberships": list(memberships),
            "join_requests": list(join_requests),
            "invitations": invitations,
            "can_manage": can_manage,
            "invitation_form": invitation_form or (InvitationForm() if can_manage else None),
            "role_choices": MembershipRole.choices,
        },
        status=status,
    )


@login_required
@require_safe
def members_view(request, slug: str):
    organisation = _organisation_or_404(request, slug)
    return _members_page(request, organisation)


@login_required
@require_POST
def invitation_create_view(request, slug: str):
    organisation = _organisation_or_404(request, slug, perm=MANAGE_PERM)
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation = invitation_create(
                organisation=organisation,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
            )
        except OrganisationError as error:
            form.add_error("email", str(error))
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("The invitation has been sent to %(email)s.") % {"email": invitation.email},
            )
            return redirect("partners:members", slug=organisation.slug)
    else:
        messages.error(request, _("Not sent yet: please check the fields marked below."))
    return _members_page(request, organisation, invitation_form=form)


@login_required
@require_POST
def join_request_decide_view(request, slug: str, pk: int):
    organisation = _organisation_or_404(request, slug, perm=MANAGE_PERM)
    join_request = get_object_or_404(
        JoinRequest.objects.select_related("user"), pk=pk, organisation=organisation
    )
    decision = request.POST.get("decision")
    if decision not in ("approve", "decline"):
        messages.error(request, _("Please choose to approve or to decline."))
        return redirect("partners:members", slug=organisation.slug)
    try:
        join_request_decide(
            join_request=join_request, admin=request.user, approve=decision == "approve"
        )
    except OrganisationError as error:
        messages.error(request, str(error))
    else:
        names = {"person": join_request.user, "name": organisation.name}
        if decision == "approve":
            messages.success(request, _("%(person)s is now a member of %(name)s.") % names)
        else:
            messages.success(
                request, _("You declined the request of %(person)s. We let them know.") % names
            )
    return redirect("partners:members", slug=organisation.slug)


@login_required
@require_POST
def membership_remove_view(request, slug: str, pk: int):
    organisation = _organisation_or_404(request, slug, perm=MANAGE_PERM)
    membership = get_object_or_404(
        Membership.objects.select_related("user"), pk=pk, organisation=organisation
    )
    try:
        membership_remove(membership=membership, by=request.user)
    except OrganisationError as error:
        messages.error(request, str(error))
        return redirect("partners:members", slug=organisation.slug)
    if membership.user_id == request.user.pk:
        messages.success(
            request, _("You are no longer a member of %(name)s.") % {"name": organisation.name}
        )
        return redirect("partners:my-organisations")
    messages.success(
        request,
        _("%(person)s is no longer a member of %(name)s.")
        % {"person": membership.user, "name": organisation.name},
    )
    return redirect("partners:members", slug=organisation.slug)


@login_required
@require_POST
def membership_role_view(request, slug: str, pk: int):
    organisation = _organisation_or_404(request, slug, perm=MANAGE_PERM)
    membership = get_object_or_404(
        Membership.objects.select_related("user"), pk=pk, organisation=organisation
    )
    form = MembershipRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please choose a role: administrator or member."))
        return redirect("partners:members", slug=organisation.slug)
    try:
        membership = membership_set_role(
            membership=membership, role=form.cleaned_data["role"], by=request.user
        )
    except OrganisationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("%(person)s is now: %(role)s.")
            % {"person": membership.user, "role": membership.get_role_display()},
        )
    return redirect("partners:members", slug=organisation.slug)


# --- Accepting an invitation ---------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def invitation_accept_view(request, token: str):
    """GET shows what you are invited to (link scanners open links); POST accepts.

    When accepting is refused, the page is shown again with the reason in place of the
    button, so the reason appears once and says what to do.
    """
    if request.method == "POST":
        try:
            membership = invitation_accept(token=token, user=request.user)
        except OrganisationError as error:
            status = 400 if isinstance(error, InvitationInvalidError) else 200
            return _invitation_page(request, token, problem=str(error), status=status)
        messages.success(
            request,
            _("Welcome! You are now a member of %(name)s.")
            % {"name": membership.organisation.name},
        )
        return redirect("partners:organisation", slug=membership.organisation.slug)
    return _invitation_page(request, token)


def _invitation_page(request, token: str, *, problem: str | None = None, status: int = 200):
    try:
        invitation = invitation_read(token=token)
    except InvitationInvalidError as error:
        invitation, problem, status = None, problem or str(error), 400
    else:
        problem = problem or invitation_refusal(invitation=invitation, user=request.user)
    response = render(
        request,
        "partners/organisations/invitation.html",
        {
            "invitation": invitation,
            "problem": problem,
            "expires_at": invitation_expires_at(invitation) if invitation else None,
        },
        status=status,
    )
    # A personal page behind a secret link: keep it out of search engines.
    response.headers["X-Robots-Tag"] = "noindex"
    return response
