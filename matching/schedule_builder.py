"""The matching engine's schedule builder, as events.services.schedule calls it.

MatchingConfig.ready() registers build_schedule_proposal with register_schedule_builder(), so
the admin's "Build the schedule" runs it; schedule_save then checks and stores its proposal.
The schedule itself comes from matching.core.schedule (plain Python, no Django); this module
only puts each table's explanation into words for the participants, who read it as "why you
meet" on their schedule and in their mail.

The reasons are stored text, so they are written once, in the site's language
(settings.LANGUAGE_CODE), whoever builds the schedule in whatever language. They aim at
language level B1: short clauses, everyday words, "you" for the people at the table.
"""

from django.conf import settings
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from events.schedule_input import ScheduleProblem, ScheduleProposal
from matching.core.schedule import DEFAULT_SEED, Explanation, build_schedule
from matching.explain import join_words, mid_sentence


def build_schedule_proposal(problem: ScheduleProblem) -> ScheduleProposal:
    """The engine's schedule for the problem, each meeting with its reason in words.

    Reads and writes nothing; the same problem gives the same proposal.
    """
    schedule = build_schedule(problem, seed=DEFAULT_SEED)
    names = {participant.id: participant.name for participant in problem.participants}
    themes = {theme.id: theme.name for theme in problem.themes}
    with translation.override(settings.LANGUAGE_CODE):
        return schedule.proposal(
            reason=lambda table: meeting_reason(
                table.explanation,
                people=len(table.participant_ids),
                names=names,
                themes=themes,
            )
        )


def meeting_reason(
    explanation: Explanation, *, people: int, names: dict[int, str], themes: dict[int, str]
) -> str:
    """Why these people meet, in one sentence of short clauses, most telling first:
    "You share the themes loneliness and ageing; you both wanted to meet each other."

    In the active language; build_schedule_proposal makes that the site's.
    """
    clauses = []
    everyone = [s.theme_id for s in explanation.shared_themes if len(s.participant_ids) == people]
    some = [s.theme_id for s in explanation.shared_themes if len(s.participant_ids) < people]
    if everyone:
        clauses.append(
            # Translators: one clause of why people meet at a table ("you" is all of them),
            # B1; Dutch: "jullie delen het thema ..." / "jullie delen de thema's ...".
            ngettext(
                "you share the theme %(themes)s",
                "you share the themes %(themes)s",
                len(everyone),
            )
            % {"themes": join_words([mid_sentence(themes.get(pk, "")) for pk in everyone])}
        )
    if some:
        clauses.append(
            # Translators: at a table of three or more; Dutch: "een paar van jullie delen ...".
            ngettext(
                "some of you share the theme %(themes)s",
                "some of you share the themes %(themes)s",
                len(some),
            )
            % {"themes": join_words([mid_sentence(themes.get(pk, "")) for pk in some])}
        )
    of_event = [s.theme_id for s in explanation.shared_themes if s.of_event]
    if of_event:
        clauses.append(
            # Translators: Dutch: "deze Meet & Match gaat over ...".
            _("this Meet & Match is about %(themes)s")
            % {"themes": join_words([mid_sentence(themes.get(pk, "")) for pk in of_event])}
        )
    clauses.extend(_wishes(explanation, people=people, names=names))
    if explanation.roles:
        clauses.append(
            # Translators: the fields are research, education, practice, studies; Dutch:
            # "jullie brengen onderzoek en praktijk samen".
            _("you bring %(fields)s together")
            % {"fields": join_words([_field(role) for role in explanation.roles])}
        )
    if not clauses:
        # Translators: Dutch: "een kans om iemand nieuw te leren kennen".
        clauses.append(_("a chance to meet someone new"))
    return capfirst("; ".join(clauses)) + "."


def _wishes(explanation: Explanation, *, people: int, names: dict[int, str]) -> list[str]:
    if people == 2:
        if explanation.mutual_wishes:
            # Translators: Dutch: "jullie wilden elkaar allebei spreken".
            return [_("you both wanted to meet each other")]
        if explanation.one_sided_wishes:
            # Translators: Dutch: "een van jullie wilde de ander spreken".
            return [_("one of you asked to meet the other")]
        return []
    return [
        # Translators: Dutch: "... en ... wilden elkaar allebei spreken".
        _("%(one)s and %(other)s both wanted to meet each other")
        % {"one": names.get(one, ""), "other": names.get(other, "")}
        for one, other in explanation.mutual_wishes
    ] + [
        # Translators: Dutch: "... wilde ... spreken".
        _("%(one)s asked to meet %(other)s")
        % {"one": names.get(one, ""), "other": names.get(other, "")}
        for one, other in explanation.one_sided_wishes
    ]


def _field(role: str) -> str:
    """What a role brings to the table, as one word."""
    # Translators: what each role brings to a table; Dutch: onderzoek, onderwijs, praktijk,
    # studie.
    fields = {
        "researcher": pgettext("field at a table", "research"),
        "lecturer": pgettext("field at a table", "education"),
        "practitioner": pgettext("field at a table", "practice"),
        "student": pgettext("field at a table", "studies"),
    }
    return fields.get(role, role)
