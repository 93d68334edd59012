"""Who may see and do what with organisations and challenges (django-rules predicates)."""

import rules

from accounts.rules import is_coordinator
from partners.enums import EDITABLE_STATES, MembershipRole


@rules.predicate
def is_member(user, organisation) -> bool:
    if organisation is None or not user.is_authenticated:
        return False
    return organisation.memberships.filter(user=user).exists()


@rules.predicate
def is_organisation_admin(user, organisation) -> bool:
    if organisation is None or not user.is_authenticated:
        return False
    return organisation.memberships.filter(user=user, role=MembershipRole.ADMIN).exists()


@rules.predicate
def is_challenge_member(user, challenge) -> bool:
    if challenge is None or not user.is_authenticated:
        return False
    return challenge.organisation.memberships.filter(user=user).exists()


@rules.predicate
def is_editable(user, challenge) -> bool:
    return challenge is not None and challenge.state in EDITABLE_STATES


rules.add_perm("partners.view_organisation_private", is_member | is_coordinator)
rules.add_perm("partners.manage_organisation", is_organisation_admin | is_coordinator)
rules.add_perm("partners.view_challenge_private", is_challenge_member | is_coordinator)
rules.add_perm("partners.edit_challenge", is_challenge_member & is_editable)
rules.add_perm("partners.submit_challenge", is_challenge_member)
rules.add_perm("partners.post_challenge_message", is_challenge_member | is_coordinator)
rules.add_perm("partners.post_internal_note", is_coordinator)
rules.add_perm("partners.decide_challenge", is_coordinator)


# --- Organisations and membership -------------------------------------------------------
# Reading an organisation's own pages is view_organisation_private (members and coordinators);
# inviting, deciding on requests and removing members is manage_organisation (its admins and
# coordinators). Registering and asking to join are for partner accounts only: students and
# researchers take part through projects, not as members of an organisation.


@rules.predicate
def is_partner_account(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role == "partner")


rules.add_perm("partners.register_organisation", is_partner_account)
rules.add_perm("partners.join_organisation", is_partner_account)
