"""What a pair earns at a table (see the package docstring), for every pair at once."""

from __future__ import annotations

from itertools import combinations

import numpy as np

from events.schedule_input import ScheduleProblem
from matching.core.schedule.result import PairPoints

# Every value is a multiple of 0.5: Scores keeps points doubled, as whole numbers.
NEW_PERSON_POINTS = 1.0
THEME_POINTS = 1.0
EVENT_THEME_POINTS = 0.5
THEMES_COUNTED = 3
ONE_SIDED_WISH_POINTS = 10.0
MUTUAL_WISH_POINTS = 40.0

# Roles as events.enums.RoleAtEvent spells them; any other role earns no role points.
ROLES = ("researcher", "lecturer", "practitioner", "student")
ROLE_POINTS: dict[frozenset[str], float] = {
    frozenset({"researcher", "practitioner"}): 1.0,
    frozenset({"lecturer", "practitioner"}): 1.0,
    frozenset({"student", "practitioner"}): 0.5,
    frozenset({"researcher", "lecturer"}): 0.5,
    frozenset({"researcher", "student"}): 0.5,
    frozenset({"lecturer", "student"}): 0.5,
}

# Rows of the points matrix computed at once: memory stays at this many rows x n numbers.
_ROWS_PER_BLOCK = 512
_TIE_STEPS = 1024  # ties among a person's candidates are broken in this many steps


def pair_points(problem: ScheduleProblem) -> dict[tuple[int, int], float]:
    """The points of every pair that may meet, keyed by ids (lower first). For small problems:
    the tests and the exact model (schedule_exact) use it."""
    scores = Scores(problem, per_person=0, seed=0)
    return {
        (scores.ids[i], scores.ids[j]): scores.half[i][j] / 2
        for i, j in combinations(range(scores.n), 2)
        if scores.half[i][j] >= 0
    }


class Scores:
    """The problem in index space (participants sorted by id).

    `half[i][j]` holds the points of a pair doubled, so they are whole numbers (every part is
    a multiple of 0.5), and -1 for a pair that may not meet (and for i == j). A list of lists
    of small ints, which Python shares, costs 8 bytes a pair (8 MB for 1,000 people) and reads
    far faster in the search's loops than a numpy array or a dict.
    """

    def __init__(self, problem: ScheduleProblem, *, per_person: int, seed: int):
        people = sorted(problem.participants, key=lambda p: p.id)
        self.people = people
        self.n = n = len(people)
        self.ids = [p.id for p in people]
        index = {pk: k for k, pk in enumerate(self.ids)}
        theme_ids = sorted(problem.event_theme_ids.union(*(p.theme_ids for p in people)))
        column = {pk: c for c, pk in enumerate(theme_ids)}
        self.masks = [sum(1 << column[t] for t in p.theme_ids) for p in people]
        self.event_mask = sum(1 << column[t] for t in problem.event_theme_ids)
        self.roles = [ROLES.index(p.role) if p.role in ROLES else len(ROLES) for p in people]
        self.role_table = np.zeros((len(ROLES) + 1, len(ROLES) + 1))
        for pair, points in ROLE_POINTS.items():
            one, other = (ROLES.index(role) for role in sorted(pair))
            self.role_table[one, other] = self.role_table[other, one] = points
        self.wants = [
            frozenset(index[o] for o in p.wants if o in index and o != p.id) for p in people
        ]
        rather_not = {
            (k, index[o])
            for k, p in enumerate(people)
            for o in p.rather_not
            if o in index and o != p.id
        }
        self.rather_not = rather_not | {(j, i) for i, j in rather_not}
        self.incidence = np.zeros((n, len(theme_ids)), dtype=np.float32)
        for k, p in enumerate(people):
            self.incidence[k, [column[t] for t in p.theme_ids]] = 1.0
        in_event = np.zeros(len(theme_ids), dtype=np.float32)
        in_event[[column[t] for t in problem.event_theme_ids]] = 1.0
        self.event_incidence = self.incidence * in_event
        self.noise = np.random.default_rng(seed).random(n)
        self.half = self._rows(per_person)

    def wish_points(self, i: int, j: int) -> float:
        asked, asked_back = j in self.wants[i], i in self.wants[j]
        if asked and asked_back:
            return MUTUAL_WISH_POINTS
        return ONE_SIDED_WISH_POINTS if asked or asked_back else 0.0

    def breakdown(self, i: int, j: int) -> PairPoints:
        shared = self.masks[i] & self.masks[j]
        return PairPoints(
            new=NEW_PERSON_POINTS,
            themes=THEME_POINTS * min(shared.bit_count(), THEMES_COUNTED),
            event_themes=EVENT_THEME_POINTS
            * min((shared & self.event_mask).bit_count(), THEMES_COUNTED),
            roles=float(self.role_table[self.roles[i], self.roles[j]]),
            wishes=self.wish_points(i, j),
        )

    def _rows(self, per_person: int) -> list[list[int]]:
        """The doubled points of every pair, a block of rows at a time (theme overlap as
        matrix products), and, as the candidate pairs (self.low, self.high, self.pair_half),
        each person's best `per_person` partners and every wished pair that may meet."""
        n, roles = self.n, np.asarray(self.roles)
        wished = np.array(
            [(i, j, round(2 * self.wish_points(i, j))) for i in range(n) for j in self.wants[i]]
            + [(j, i, round(2 * self.wish_points(i, j))) for i in range(n) for j in self.wants[i]],
            dtype=np.int64,
        ).reshape(-1, 3)
        wished = np.unique(wished, axis=0)  # a mutual wish is listed from both sides
        refused = np.array(sorted(self.rather_not), dtype=np.int64).reshape(-1, 2)
        k = min(per_person, n - 1)
        role_half = np.rint(2 * self.role_table).astype(np.int16)
        tie = (self.noise * (_TIE_STEPS - 1)).astype(np.int32)
        rows: list[list[int]] = []
        found = [np.zeros((0, 3), dtype=np.int64)]
        for start in range(0, n, _ROWS_PER_BLOCK):
            stop = min(start + _ROWS_PER_BLOCK, n)
            here = slice(start, stop)
            # In whole half points, in int16: a block of 512 x 5,000 pairs is 5 MB.
            block = role_half[roles[here]][:, roles]
            block += round(2 * NEW_PERSON_POINTS)
            shared = self.incidence[here] @ self.incidence.T
            block += round(2 * THEME_POINTS) * np.minimum(shared, THEMES_COUNTED).astype(np.int16)
            if self.event_mask:
                shared = self.event_incidence[here] @ self.event_incidence.T
                counted = np.minimum(shared, THEMES_COUNTED).astype(np.int16)
                block += round(2 * EVENT_THEME_POINTS) * counted
            block[np.arange(stop - start), np.arange(start, stop)] = -1
            mine = wished[(wished[:, 0] >= start) & (wished[:, 0] < stop)]
            block[mine[:, 0] - start, mine[:, 1]] += mine[:, 2].astype(np.int16)
            mine = refused[(refused[:, 0] >= start) & (refused[:, 0] < stop)]
            block[mine[:, 0] - start, mine[:, 1]] = -1
            rows.extend(block.tolist())
            if k < 1:
                continue
            # Equal points go by a seeded order of the partners.
            ranked = block.astype(np.int32) * _TIE_STEPS + tie
            best = np.argpartition(-ranked, k - 1, axis=1)[:, :k]
            values = np.take_along_axis(block, best, axis=1)
            person = np.repeat(np.arange(start, stop), k).reshape(-1, k)
            keep = values >= 0
            found.append(np.column_stack((person[keep], best[keep], values[keep])))
        allowed = wished[[rows[i][j] >= 0 for i, j in wished[:, :2].tolist()]]
        values = np.array([rows[i][j] for i, j in allowed[:, :2].tolist()], dtype=np.int64)
        found.append(np.column_stack((allowed[:, :2], values.reshape(-1))))
        pairs = np.concatenate(found)
        low = np.minimum(pairs[:, 0], pairs[:, 1])
        high = np.maximum(pairs[:, 0], pairs[:, 1])
        _, first = np.unique(low * n + high, return_index=True)
        self.low, self.high = low[first], high[first]
        self.pair_half = pairs[first, 2].astype(np.float64)
        return rows

    def order(self, rng: np.random.Generator, shake: float) -> tuple[list[int], list[int]]:
        """The candidate pairs best first, as (lower, higher) index lists. Ties go by the
        seeded noise; with `shake` > 0 each pair's points are first scaled by a random factor
        between 1 - shake and 1 + shake, which gives a restart another greedy order."""
        points = self.pair_half
        if shake:
            points = points * (1 + shake * (2 * rng.random(len(points)) - 1))
        tie = np.mod(self.noise[self.low] + self.noise[self.high], 1.0)
        order = np.lexsort((tie, -points))
        return self.low[order].tolist(), self.high[order].tolist()


def table_half(half: list[list[int]], table: list[int]) -> int:
    return sum(half[i][j] for i, j in combinations(table, 2))
