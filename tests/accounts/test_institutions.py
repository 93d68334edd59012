import pytest
from django.db import IntegrityError, transaction

from accounts.selectors import institution_for_email
from tests.factories import InstitutionEmailDomainFactory, InstitutionFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.fixture
def leiden():
    university = InstitutionFactory(name="Universiteit Leiden", kind="wo")
    InstitutionEmailDomainFactory(institution=university, domain="leidenuniv.nl")
    InstitutionEmailDomainFactory(institution=university, domain="umail.leidenuniv.nl")
    lumc = InstitutionFactory(name="LUMC", kind="wo")
    InstitutionEmailDomainFactory(institution=lumc, domain="lumc.leidenuniv.nl")
    return university, lumc


@pytest.mark.parametrize(
    ("email", "expected"),
    [
        ("j.jansen@umail.leidenuniv.nl", "Universiteit Leiden"),
        ("J.Jansen@UMAIL.LeidenUniv.NL", "Universiteit Leiden"),
        ("docent@leidenuniv.nl", "Universiteit Leiden"),
        ("arts@lumc.leidenuniv.nl", "LUMC"),  # the most specific domain wins
        ("iemand@faculteit.umail.leidenuniv.nl", "Universiteit Leiden"),
        ("iemand@gmail.com", None),
        ("geen-apenstaartje", None),
        ("iemand@nl", None),
    ],
)
def test_institution_for_email_matches_domain_and_parents(leiden, email, expected):
    institution = institution_for_email(email)
    assert (institution.name if institution else None) == expected


def test_institution_domain_is_unique_in_the_database(leiden):
    with pytest.raises(IntegrityError), transaction.atomic():
        InstitutionEmailDomainFactory(domain="leidenuniv.nl")
