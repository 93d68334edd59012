"""Meet & Match schedules: who sits at which table in which round, and why.

Plain data in (events.schedule_input.ScheduleProblem), plain data out (a Schedule, which turns
into a ScheduleProposal); no Django, so tests and bench/schedule.py run it without a database.
matching/schedule_builder.py writes the reasons in words and registers the builder.

The package: points.py (what a pair earns), rounds.py (building and improving one round),
annealing.py (the finish for small events), build.py (build_schedule, putting it together),
result.py (what comes out).

Rules every schedule keeps (hard):
- nobody sits twice in one round; a table holds two to seats_per_table people;
- no pair of which one would rather not meet the other ever shares a table;
- nobody meets the same person twice. Should a round run out of new people for someone, that
  person sits the round out rather than meet someone again: a second talk with the same
  person is worth less than a break, and a coordinator can still seat them by hand.

What a schedule aims for (soft), in the points each pair at a table earns (PairPoints):
- 40 for a mutual wish, 10 for a one-sided one. A mutual pair (41 or more) outranks any two
  other pairs (two one-sided pairs earn at most 2 x 16.5), and a one-sided pair (11 or more)
  any pair without a wish (at most 6.5), so wishes come first wherever the rules let them;
- 1 per shared theme and 0.5 more when the event is about it too, for at most three shared
  themes (beyond three, more overlap says little more about a good talk);
- 1 for research or education meeting practice, 0.5 for other mixes of roles (ROLE_POINTS);
- 1 for every pair at all: meeting someone new is the point of the evening, so seating
  someone always adds points, and a schedule with fewer people sitting out scores higher.
A table earns the sum over its pairs; the schedule the sum over its tables (its objective).
When there are more people than seats (or an odd number of people at tables for two), those
who sat out least so far sit out next, so the rounds off are at most one apart. Late in a
long event with few people, the no-repeat rule can leave more people without a new partner;
those rounds off are shared out as far as the rule allows.

How, fast enough for 1,000 people x 8 rounds in about half a second:
- the points of every pair come from theme overlap as matrix products in numpy, a block of
  rows at a time, into a table of small ints to look pairs up in (8 bytes a pair: 8 MB for
  1,000 people, 200 MB for 5,000). The search walks only through each person's best K
  partners and every wished pair, never through all n^2 pairs;
- each round is built greedily from the candidates, best first (a pair opens a table, a
  person joins one, two tables merge, while seats allow), seats left over are filled from
  whoever is still free, and a local search along each person's best candidates moves and
  swaps people between tables while that raises the round's points;
- up to rounds.SMALL people, each round is then rebuilt against all the others; smaller
  events try several greedy orders, and the smallest (up to build.ANNEALED people) are
  finally annealed, which brings them within a few per cent of the exact optimum
  (schedule_exact; tests/matching/test_schedule.py and bench/schedule.py measure it).

Deterministic: ties are broken by a noise derived from `seed`, and nothing depends on time or
on the order of the input.
"""

from matching.core.schedule.build import DEFAULT_SEED, build_schedule
from matching.core.schedule.points import (
    EVENT_THEME_POINTS,
    MUTUAL_WISH_POINTS,
    NEW_PERSON_POINTS,
    ONE_SIDED_WISH_POINTS,
    ROLE_POINTS,
    ROLES,
    THEME_POINTS,
    THEMES_COUNTED,
    pair_points,
)
from matching.core.schedule.result import (
    Explanation,
    PairPoints,
    PlannedTable,
    Schedule,
    SharedTheme,
)

__all__ = [
    "DEFAULT_SEED",
    "EVENT_THEME_POINTS",
    "MUTUAL_WISH_POINTS",
    "NEW_PERSON_POINTS",
    "ONE_SIDED_WISH_POINTS",
    "ROLES",
    "ROLE_POINTS",
    "THEMES_COUNTED",
    "THEME_POINTS",
    "Explanation",
    "PairPoints",
    "PlannedTable",
    "Schedule",
    "SharedTheme",
    "build_schedule",
    "pair_points",
]
