from accounts.models import Institution, InstitutionEmailDomain


def institution_for_email(email: str) -> Institution | None:
    """The institution whose email domain matches the address, or one of its parents.

    Students often have addresses on a subdomain (umail.leidenuniv.nl,
    student.hsleiden.nl); the most specific registered domain wins.
    """
    _local, _at, host = email.strip().lower().rpartition("@")
    if not host:
        return None
    labels = host.split(".")
    candidates = [".".join(labels[i:]) for i in range(len(labels) - 1)]
    if not candidates:
        return None
    matches = {
        row.domain: row.institution
        for row in InstitutionEmailDomain.objects.filter(domain__in=candidates).select_related(
            "institution"
        )
    }
    for candidate in candidates:
        if candidate in matches:
            return matches[candidate]
    return None


def institution_for_home_organisation(domain: str) -> Institution | None:
    """The institution whose email domains belong to SURFconext's home organisation.

    `schac_home_organization` is the institution's own domain (hsleiden.nl,
    leidenuniv.nl). A registered email domain that is that domain or one of its parents
    wins, as for an address; otherwise the one institution whose email domains lie under
    it (umail.leidenuniv.nl under leidenuniv.nl). Two institutions under one home
    organisation, or none, give None: the person chooses on their profile page.
    """
    domain = domain.strip().lower()
    if not domain or "@" in domain:
        return None
    exact = institution_for_email(f"x@{domain}")
    if exact is not None:
        return exact
    under = {
        row.institution_id: row.institution
        for row in InstitutionEmailDomain.objects.filter(
            domain__endswith=f".{domain}"
        ).select_related("institution")
    }
    return next(iter(under.values())) if len(under) == 1 else None
