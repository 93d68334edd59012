"""Demo data for partners: themes and Leiden's neighbourhoods. Idempotent."""

from django.utils.text import slugify

from partners.models import Neighbourhood, Theme

THEMES = [
    ("Eenzaamheid", "Mensen die zich alleen voelen, jong en oud."),
    ("Vergrijzing", "Een stad met meer ouderen: zorg, wonen en meedoen."),
    ("Duurzaamheid", "Energie, groen, afval en klimaat in de wijk."),
    ("Sociale impact corona", "Wat de coronatijd deed met jongeren, ouderen en buurten."),
    ("Laaggeletterdheid", "Moeite met lezen, schrijven of digitale zaken."),
    ("Armoede en schulden", "Rondkomen, schulden en de weg naar hulp."),
    ("Gezondheid en bewegen", "Gezond leven en bewegen in de buurt."),
]

# (neighbourhood, district, resident contact moments per month)
NEIGHBOURHOODS = [
    ("De Kooi", "Leiden-Noord", 30),
    ("Tuinstadwijk", "Leiden-Noord", 30),
    ("Noorderkwartier", "Leiden-Noord", 30),
    ("Slaaghwijk", "Leiden-Noord", 25),
    ("Professorenwijk", "Leiden-Noord", 25),
    ("Binnenstad-Noord", "Binnenstad", 40),
    ("Binnenstad-Zuid", "Binnenstad", 40),
    ("Stationsdistrict", "Stationsdistrict", 20),
    ("Merenwijk", "Merenwijkdistrict", 35),
    ("Stevenshof", "Stevenshofdistrict", 35),
    ("Boerhaavewijk", "Boerhaavedistrict", 30),
    ("Roomburg", "Boerhaavedistrict", 20),
    ("Morskwartier", "Morsdistrict", 25),
    ("Haagwegkwartier", "Bos- en Gasthuisdistrict", 25),
    ("Fortuinwijk", "Bos- en Gasthuisdistrict", 25),
    ("Roodenburg", "Roodenburgerdistrict", 20),
]


def seed() -> dict[str, int]:
    created = {"themes": 0, "neighbourhoods": 0}
    for name, description in THEMES:
        _theme, was_created = Theme.objects.get_or_create(
            slug=slugify(name), defaults={"name": name, "description": description}
        )
        created["themes"] += was_created
    for name, district, budget in NEIGHBOURHOODS:
        _hood, was_created = Neighbourhood.objects.get_or_create(
            slug=slugify(name),
            defaults={"name": name, "district": district, "resident_contact_budget": budget},
        )
        created["neighbourhoods"] += was_created
    return created
