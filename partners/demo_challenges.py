"""About thirty real-looking challenges from Leiden organisations, spread over every state.

Idempotent: a challenge is identified by its organisation and title.
"""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from partners.enums import ChallengeAction, ChallengeState, CslLevel, ResidentInvolvement
from partners.models import (
    Challenge,
    ChallengeLogEntry,
    ChallengeMessage,
    Neighbourhood,
    Organisation,
    Theme,
)

S = ChallengeState

# (title, question, themes, neighbourhoods, level, resident contacts per month, state, public)
CHALLENGES = [
    (
        "Ouderen ontmoeten elkaar",
        "Veel ouderen in De Kooi wonen alleen. Hoe zorgen we samen met bewoners dat zij elkaar vaker zien?",
        ["eenzaamheid", "vergrijzing"],
        ["de-kooi"],
        CslLevel.MEDIUM,
        6,
        S.ACCEPTED,
        True,
    ),
    (
        "Voorlezen in de wijk",
        "Hoe bereiken we ouders die zelf moeite hebben met lezen, zodat zij hun kinderen toch voorlezen?",
        ["laaggeletterdheid"],
        ["tuinstadwijk"],
        CslLevel.LOW,
        4,
        S.IN_PROGRESS,
        True,
    ),
    (
        "Digitaal meedoen",
        "Hoe helpen we ouderen die niet goed met DigiD en apps kunnen werken?",
        ["laaggeletterdheid", "vergrijzing"],
        ["noorderkwartier"],
        CslLevel.LOW,
        8,
        S.SUBMITTED,
        True,
    ),
    (
        "Jongeren na corona",
        "Wat hebben jongeren in Leiden-Noord nodig om na de coronatijd weer mee te doen?",
        ["sociale-impact-corona"],
        ["slaaghwijk"],
        CslLevel.INTENSIVE,
        10,
        S.IN_REVIEW,
        True,
    ),
    (
        "Groene binnenplaatsen",
        "Hoe maken we binnenplaatsen van flats groener, samen met de huurders?",
        ["duurzaamheid"],
        ["stevenshof"],
        CslLevel.MEDIUM,
        5,
        S.ACCEPTED,
        True,
    ),
    (
        "Energie besparen met buren",
        "Hoe helpen buren elkaar om energie te besparen in oude huurwoningen?",
        ["duurzaamheid", "armoede-en-schulden"],
        ["merenwijk"],
        CslLevel.MEDIUM,
        6,
        S.NEEDS_INFO,
        False,
    ),
    (
        "Mantelzorgers ontlasten",
        "Hoe vinden mantelzorgers in de Merenwijk sneller hulp als het hen te veel wordt?",
        ["vergrijzing"],
        ["merenwijk"],
        CslLevel.MEDIUM,
        4,
        S.CLOSED,
        True,
    ),
    (
        "Eten en ontmoeten",
        "Hoe maken we van de buurtmaaltijd een plek waar ook nieuwe bewoners komen?",
        ["eenzaamheid"],
        ["boerhaavewijk"],
        CslLevel.LOW,
        3,
        S.DECLINED,
        False,
    ),
    (
        "Schulden eerder zien",
        "Hoe zien we eerder dat een gezin schulden krijgt, zodat hulp op tijd komt?",
        ["armoede-en-schulden"],
        ["haagwegkwartier"],
        CslLevel.INTENSIVE,
        2,
        S.SUBMITTED,
        False,
    ),
    (
        "Bewegen voor iedereen",
        "Hoe krijgen we mensen met weinig geld vaker aan het bewegen in hun eigen buurt?",
        ["gezondheid-en-bewegen"],
        ["fortuinwijk"],
        CslLevel.LOW,
        6,
        S.DRAFT,
        False,
    ),
    (
        "Taalcafé in de bibliotheek",
        "Wat maakt dat mensen die Nederlands leren blijven komen naar het taalcafé?",
        ["laaggeletterdheid"],
        ["binnenstad-noord"],
        CslLevel.LOW,
        4,
        S.IN_PROGRESS,
        True,
    ),
    (
        "Eenzaamheid onder studenten",
        "Hoe merken we eenzaamheid bij studenten op tijd, en wat helpt dan?",
        ["eenzaamheid"],
        ["binnenstad-zuid"],
        CslLevel.MEDIUM,
        0,
        S.ACCEPTED,
        True,
    ),
    (
        "Hitte in de wijk",
        "Welke plekken in de Stationsdistrict worden te heet in de zomer, en wat kunnen bewoners doen?",
        ["duurzaamheid", "gezondheid-en-bewegen"],
        ["stationsdistrict"],
        CslLevel.INTENSIVE,
        5,
        S.IN_REVIEW,
        True,
    ),
    (
        "Wonen met dementie",
        "Hoe kunnen buren iemand met beginnende dementie helpen om thuis te blijven wonen?",
        ["vergrijzing"],
        ["roomburg"],
        CslLevel.MEDIUM,
        4,
        S.SUBMITTED,
        True,
    ),
    (
        "Buurthuis open voor jongeren",
        "Wat zou jongeren uit het Morskwartier naar het buurthuis trekken?",
        ["sociale-impact-corona"],
        ["morskwartier"],
        CslLevel.LOW,
        6,
        S.DRAFT,
        False,
    ),
    (
        "Afval scheiden in hoogbouw",
        "Waarom scheiden bewoners van flats weinig afval, en wat zou helpen?",
        ["duurzaamheid"],
        ["roodenburg"],
        CslLevel.LOW,
        4,
        S.CLOSED,
        True,
    ),
    (
        "Vrijwilligers vasthouden",
        "Hoe houden we nieuwe vrijwilligers langer dan een half jaar vast?",
        ["eenzaamheid"],
        [],
        CslLevel.MEDIUM,
        0,
        S.ACCEPTED,
        False,
    ),
    (
        "Geldzorgen bespreekbaar",
        "Hoe maken we het makkelijker om over geldzorgen te praten in de wijk?",
        ["armoede-en-schulden"],
        ["de-kooi"],
        CslLevel.MEDIUM,
        5,
        S.NEEDS_INFO,
        False,
    ),
    (
        "Ouderen en de bus",
        "Wat houdt ouderen tegen om met de bus naar het centrum te gaan?",
        ["vergrijzing", "eenzaamheid"],
        ["stevenshof"],
        CslLevel.LOW,
        3,
        S.SUBMITTED,
        True,
    ),
    (
        "Spelen in de buurt",
        "Hoe maken we pleinen in Leiden-Noord veiliger en leuker voor kinderen?",
        ["gezondheid-en-bewegen"],
        ["tuinstadwijk"],
        CslLevel.MEDIUM,
        6,
        S.IN_PROGRESS,
        True,
    ),
    (
        "Laaggeletterdheid op het werk",
        "Hoe herkennen werkgevers laaggeletterdheid, en hoe verwijzen ze goed door?",
        ["laaggeletterdheid"],
        [],
        CslLevel.INTENSIVE,
        0,
        S.IN_REVIEW,
        False,
    ),
    (
        "Nieuwe Leidenaren welkom",
        "Hoe voelen statushouders zich sneller thuis in hun nieuwe buurt?",
        ["eenzaamheid"],
        ["boerhaavewijk"],
        CslLevel.MEDIUM,
        6,
        S.DRAFT,
        False,
    ),
    (
        "Samen klussen",
        "Hoe kunnen bewoners elkaar helpen met kleine klussen in huis?",
        ["vergrijzing"],
        ["professorenwijk"],
        CslLevel.LOW,
        4,
        S.DECLINED,
        False,
    ),
    (
        "Gezonde school",
        "Wat eten kinderen in Leiden-Noord tussen de middag, en hoe kan het gezonder?",
        ["gezondheid-en-bewegen"],
        ["noorderkwartier"],
        CslLevel.MEDIUM,
        3,
        S.ACCEPTED,
        True,
    ),
    (
        "Digitale hulp aan huis",
        "Welke hulp bij computer en telefoon willen ouderen thuis krijgen?",
        ["laaggeletterdheid", "vergrijzing"],
        ["merenwijk"],
        CslLevel.LOW,
        4,
        S.SUBMITTED,
        False,
    ),
    (
        "Corona en verenigingen",
        "Hoe krijgen sportclubs de leden terug die na corona wegbleven?",
        ["sociale-impact-corona", "gezondheid-en-bewegen"],
        [],
        CslLevel.LOW,
        0,
        S.CLOSED,
        True,
    ),
    (
        "Tuinen van de buurt",
        "Hoe maken we van de buurtmoestuin een plek voor jong en oud?",
        ["duurzaamheid", "eenzaamheid"],
        ["slaaghwijk"],
        CslLevel.MEDIUM,
        5,
        S.IN_REVIEW,
        True,
    ),
    (
        "Armoede onder kinderen",
        "Hoe merken scholen en clubs dat een kind thuis geldzorgen heeft?",
        ["armoede-en-schulden"],
        ["fortuinwijk"],
        CslLevel.INTENSIVE,
        2,
        S.DRAFT,
        False,
    ),
    (
        "Huurders en isolatie",
        "Waarom doen huurders niet mee met het isoleren van hun woning?",
        ["duurzaamheid"],
        ["haagwegkwartier"],
        CslLevel.MEDIUM,
        6,
        S.SUBMITTED,
        True,
    ),
    (
        "Buren kennen buren",
        "Hoe leren bewoners van een nieuwe wijk elkaar kennen?",
        ["eenzaamheid"],
        ["stationsdistrict"],
        CslLevel.LOW,
        4,
        S.ACCEPTED,
        True,
    ),
]

ACTION_FOR = {
    S.SUBMITTED: ChallengeAction.SUBMIT,
    S.IN_REVIEW: ChallengeAction.TAKE_IN_REVIEW,
    S.NEEDS_INFO: ChallengeAction.ASK_INFO,
    S.ACCEPTED: ChallengeAction.ACCEPT,
    S.DECLINED: ChallengeAction.DECLINE,
    S.IN_PROGRESS: ChallengeAction.START,
    S.CLOSED: ChallengeAction.CLOSE,
}


@transaction.atomic
def seed_challenges() -> int:
    """Demo rows are written directly, not through the workflow, so no mail goes out."""
    organisations = list(Organisation.objects.filter(is_verified=True).order_by("name"))
    if not organisations:
        return 0
    themes = {theme.slug: theme for theme in Theme.objects.all()}
    hoods = {hood.slug: hood for hood in Neighbourhood.objects.all()}
    today = timezone.localdate()
    created = 0
    for index, (
        title,
        question,
        theme_slugs,
        hood_slugs,
        level,
        contacts,
        state,
        public,
    ) in enumerate(CHALLENGES):
        organisation = organisations[index % len(organisations)]
        if Challenge.objects.filter(organisation=organisation, title=title).exists():
            continue
        changed = timezone.now() - timedelta(days=3 * (index % 12))
        start = date(today.year + (today.month + 2) // 12, (today.month + 2) % 12 + 1, 1)
        member = organisation.memberships.select_related("user").first()
        challenge = Challenge.objects.create(
            organisation=organisation,
            created_by=member.user if member else None,
            title=title,
            question=question,
            target_group="Bewoners van de wijk",
            contact_name=member.user.name if member else "Contactpersoon",
            contact_email=member.user.email if member else "info@demo.lerenmetdestad.nl",
            place="Op Locatie, Leiden-Noord"
            if index % 3 == 0
            else organisation.address or "Bij de organisatie",
            hours_per_week=2 + index % 4,
            desired_start=start,
            desired_end=start + timedelta(weeks=8 + index % 3),
            desired_level=level,
            resident_involvement=ResidentInvolvement.MEDIUM
            if contacts
            else ResidentInvolvement.NONE,
            resident_contacts_per_month=contacts,
            is_societal=state != S.DRAFT or index % 2 == 0,
            is_non_commercial=state != S.DRAFT or index % 2 == 0,
            has_no_consultant_budget=state != S.DRAFT or index % 2 == 0,
            is_public=public,
            state=state,
            decision_reason="Dit past beter bij een stage dan bij Leren met de Stad."
            if state == S.DECLINED
            else "",
            created_at=changed - timedelta(days=10),
            submitted_at=None if state == S.DRAFT else changed - timedelta(days=5),
            state_changed_at=changed,
        )
        challenge.themes.set([themes[slug] for slug in theme_slugs if slug in themes])
        challenge.neighbourhoods.set([hoods[slug] for slug in hood_slugs if slug in hoods])
        ChallengeLogEntry.objects.create(
            challenge=challenge,
            actor=challenge.created_by,
            action=ChallengeAction.CREATE,
            to_state=S.DRAFT,
            created_at=challenge.created_at,
        )
        if state in ACTION_FOR:
            ChallengeLogEntry.objects.create(
                challenge=challenge, action=ACTION_FOR[state], to_state=state, created_at=changed
            )
        if state == S.NEEDS_INFO:
            ChallengeMessage.objects.create(
                challenge=challenge,
                body="Kunt u vertellen in welke straten dit vooral speelt?",
                created_at=changed,
            )
        created += 1
    return created
