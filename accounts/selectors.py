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
