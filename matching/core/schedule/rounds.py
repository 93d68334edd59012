"""Building one round (greedy over the candidate pairs), filling it and improving it by local
search; and planning the mutual wishes over the rounds."""

from __future__ import annotations

from collections import Counter
from itertools import chain, pairwise

import numpy as np

from events.schedule_input import ScheduleProblem
from matching.core.schedule.points import Scores

# Local search looks this far down each person's candidate list...
_NEIGHBOURS_TRIED = 6
# ... and in events this small, down all of them.
_SMALL_NEIGHBOURHOOD = 40
# Up to this many people, each round is rebuilt against the others (build.py) and the local
# search sweeps until nothing improves (at most _SMALL_SWEEPS times); above it, once.
SMALL = 300
_SMALL_SWEEPS = 4
# A round splits a table to seat two who are left over only when few are.
_SPLIT_LIMIT = 20


class Rounds:
    """Builds and improves rounds; a round is a list of tables, a table a list of indices.

    `met[i]` holds whom i met in the rounds that count: those before while building, all the
    others while rebuilding one.
    """

    def __init__(
        self, problem: ScheduleProblem, scores: Scores, *, seed: int, shake: float, plan: bool
    ):
        self.half = scores.half
        self.wants = scores.wants
        self.rng = np.random.default_rng(seed)
        self.first, self.second = scores.order(self.rng, shake)
        self.n = n = scores.n
        self.seats = problem.seats_per_table
        self.table_count = problem.tables
        tried = n if n <= _SMALL_NEIGHBOURHOOD else _NEIGHBOURS_TRIED
        neighbours: list[list[int]] = [[] for _ in range(n)]
        for i, j in zip(self.first, self.second, strict=True):  # best pairs first
            if len(neighbours[i]) < tried:
                neighbours[i].append(j)
            if len(neighbours[j]) < tried:
                neighbours[j].append(i)
        self.neighbours = neighbours
        self.sweeps = _SMALL_SWEEPS if n <= SMALL else 1
        pairs = zip(self.first, self.second, strict=True)
        mutual = [(i, j) for i, j in pairs if _mutual(scores, i, j)] if plan else []
        self.planned = plan_mutual_wishes(mutual, n=n, rounds=problem.rounds)
        # The local search keeps a planned pair together when both have every mutual wish
        # planned: for them the plan is the way to meet them all. With more wishes than
        # rounds, the search may find more pairs than the plan did, so it may change them.
        unplanned = Counter(chain.from_iterable(mutual))
        unplanned.subtract(chain.from_iterable(chain.from_iterable(self.planned)))
        self.kept = [
            [(i, j) for i, j in pairs if not unplanned[i] and not unplanned[j]]
            for pairs in self.planned
        ]

    def fits(self, person: int, table: list[int], met: list[set[int]], leaving: int = -1) -> bool:
        """May `person` join `table` (once `leaving` left it): nobody met before or refused."""
        row, seen = self.half[person], met[person]
        return all(other == leaving or (row[other] >= 0 and other not in seen) for other in table)

    def sitting_out(self, r: int, idle_count: list[int], met: list[set[int]]) -> set[int]:
        """Who sits round r out when there are more people than seats: those who sat out
        least so far; among them those with no mutual wish planned for this round, then
        those with fewer wishes left to meet, then a seeded order."""
        seats = self.seats * self.table_count
        if self.seats == 2:
            seats = min(seats, self.n - self.n % 2)  # tables for two seat an even number
        extra = self.n - seats
        if extra <= 0:
            return set()
        waiting = [len(self.wants[i] - met[i]) for i in range(self.n)]
        planned = [0] * self.n
        for pair in self.planned[r]:
            for person in pair:
                planned[person] = 1
        order = np.lexsort((self.rng.permutation(self.n), waiting, planned, idle_count))
        return set(order[:extra].tolist())

    def build_round(
        self, r: int, resting: set[int], met: list[set[int]], idle_count: list[int]
    ) -> list:
        """Greedy over the candidate pairs, the mutual wishes planned for round r first, then
        best first; then fill and improve.

        `resting` changes when someone meant to sit out is seated after all.
        """
        n, seats, limit = self.n, self.seats, self.table_count
        table_of = [-1] * n
        tables: list[list[int]] = []
        open_tables = seated = 0
        # Tables no more than half full: a merge needs one. Once everyone is seated and at
        # most one such table is left, the rest of the pairs can change nothing much.
        half_full, small = seats // 2, 0
        free = n - len(resting)
        for i, j in chain(self.planned[r], zip(self.first, self.second, strict=True)):
            if j in met[i] or i in resting or j in resting:
                continue
            at_i, at_j = table_of[i], table_of[j]
            if at_i == -1 and at_j == -1:
                if open_tables < limit:
                    table_of[i] = table_of[j] = len(tables)
                    tables.append([i, j])
                    open_tables += 1
                    seated += 2
                    small += half_full >= 2
            elif at_i == -1 or at_j == -1:
                person, at = (i, at_j) if at_i == -1 else (j, at_i)
                table = tables[at]
                if len(table) < seats and self.fits(person, table, met):
                    small -= len(table) == half_full
                    table.append(person)
                    table_of[person] = at
                    seated += 1
            elif at_i != at_j:
                one, other = tables[at_i], tables[at_j]
                if len(one) + len(other) <= seats and all(
                    self.fits(person, one, met) for person in other
                ):
                    small -= (len(one) <= half_full) + (len(other) <= half_full)
                    for person in other:
                        table_of[person] = at_i
                    one.extend(other)
                    other.clear()
                    open_tables -= 1
                    small += len(one) <= half_full
            if seated == free and small <= 1:
                break
        built = [table for table in tables if table]
        self.fill(built, resting, met, idle_count)
        self.improve(built, met, idle_count, resting, self.kept[r])
        self.share_out(built, resting, met, idle_count)
        return built

    def fill(
        self, tables: list, resting: set[int], met: list[set[int]], idle_count: list[int]
    ) -> None:
        """Seat whoever is still free: at the best table with room, else at a new table with
        the best partner who is free too. Those meant to sit out come last, as a reserve."""
        half = self.half
        seated = {person for table in tables for person in table}
        free = sorted(
            (i for i in range(self.n) if i not in seated),
            key=lambda i: (i in resting, -idle_count[i], i),
        )
        with_room = [table for table in tables if len(table) < self.seats]
        left = []
        free.reverse()  # popped from the end, first in line first
        while free:
            person = free.pop()
            row = half[person]
            room = [t for t in with_room if self.fits(person, t, met)]
            if room:
                table = max(room, key=lambda t: sum(row[o] for o in t))
                table.append(person)
                if len(table) == self.seats:
                    with_room.remove(table)
                resting.discard(person)
                continue
            partners = [o for o in free if row[o] >= 0 and o not in met[person]]
            if partners and len(tables) < self.table_count:
                partner = max(reversed(partners), key=row.__getitem__)
                free.remove(partner)
                tables.append([person, partner])
                if self.seats > 2:
                    with_room.append(tables[-1])
                resting.discard(person)
                resting.discard(partner)
            else:
                left.append(person)
        if 2 <= len(left) <= _SPLIT_LIMIT:
            self.split(tables, [p for p in left if p not in resting], left, met)

    def split(self, tables: list, seeking: list[int], left: list[int], met: list[set[int]]):
        """Seat two who are still free and may not sit together (they met, or one would
        rather not): one takes someone's seat at a table, who opens a new table with the
        other; when that raises the points."""
        half = self.half
        for person in seeking:
            if person not in left or len(tables) >= self.table_count:
                continue
            best, best_gain = None, 0
            for table in tables:
                for moved in table:
                    if not self.fits(person, table, met, leaving=moved):
                        continue
                    row = half[moved]
                    for other in left:
                        if other == person or row[other] < 0 or other in met[moved]:
                            continue
                        gain = row[other] + sum(
                            half[person][o] - row[o] for o in table if o != moved
                        )
                        if gain > best_gain:
                            best, best_gain = (table, moved, other), gain
            if best is not None:
                table, moved, other = best
                table[table.index(moved)] = person
                tables.append([moved, other])
                left.remove(person)
                left.remove(other)

    def share_out(
        self, tables: list, resting: set[int], met: list[set[int]], idle_count: list[int]
    ) -> None:
        """Whoever still sits out although they sat out more often than someone seated takes
        that person's seat (the one who sat out least, then the best swap for the points),
        so the rounds off stay spread evenly, even where the points drop a little."""
        half = self.half
        seated = {person: table for table in tables for person in table}
        free = sorted(
            (i for i in range(self.n) if i not in seated), key=lambda i: (-idle_count[i], i)
        )
        for person in free:
            row = half[person]
            best, best_key = None, None
            for x, table in seated.items():
                if idle_count[x] >= idle_count[person] or not self.fits(
                    person, table, met, leaving=x
                ):
                    continue
                key = (idle_count[x], -sum(row[o] - half[x][o] for o in table if o != x))
                if best_key is None or key < best_key:
                    best, best_key = x, key
            if best is not None:
                table = seated.pop(best)
                table[table.index(best)] = person
                seated[person] = table
                resting.discard(person)
                resting.add(best)

    def improve(
        self,
        tables: list,
        met: list[set[int]],
        idle_count: list[int],
        resting: set[int],
        planned: list[tuple[int, int]],
    ) -> None:
        """Local search along each person's best candidates (see LocalSearch), in a seeded
        order, until a sweep changes nothing or the sweeps run out."""
        search = LocalSearch(
            self, tables, met=met, idle_count=idle_count, resting=resting, planned=planned
        )
        order = self.rng.permutation(self.n).tolist()
        for _ in range(self.sweeps):
            changed = False
            for a in order:
                for b in self.neighbours[a]:
                    changed |= search.bring(a, b)
            if not changed:
                break


class LocalSearch:
    """One round's tables while a local search changes them.

    `bring(a, b)` seats b at a's table when that raises the round's points: b joins if the
    table has room, or swaps with someone there (who goes to b's table, or sits out, but
    only someone who sat out no more often than b, so the rounds off stay evenly spread).
    """

    def __init__(
        self,
        rounds: Rounds,
        tables: list,
        *,
        met: list[set[int]],
        idle_count: list[int],
        resting: set[int],
        planned: list[tuple[int, int]],
    ):
        self.half, self.seats, self.fits = rounds.half, rounds.seats, rounds.fits
        # A mutual wish planned for this round stays together: its round was chosen so that
        # the other rounds can meet the other wishes.
        self.partner = [-1] * rounds.n
        for one, other in planned:
            self.partner[one], self.partner[other] = other, one
        self.tables, self.met, self.idle_count, self.resting = tables, met, idle_count, resting
        self.where = [-1] * rounds.n
        self.link = [0] * rounds.n  # each person's points with their tablemates
        for t, table in enumerate(tables):
            self.relink(table)
            for person in table:
                self.where[person] = t

    def relink(self, table: list[int]) -> None:
        for person in table:
            row = self.half[person]
            self.link[person] = sum(row[other] for other in table if other != person)

    def bring(self, a: int, b: int) -> bool:
        home, away = self.where[a], self.where[b]
        if home in (-1, away):
            return False
        mine = self.tables[home]
        joining = sum(self.half[b][other] for other in mine)
        if away == -1:
            return self._seat_free(a, b, mine, joining)
        if self._held(b):
            return False
        theirs = self.tables[away]
        if (
            len(mine) < self.seats
            and len(theirs) > 2
            and joining > self.link[b]
            and self.fits(b, mine, self.met)
        ):
            theirs.remove(b)
            mine.append(b)
            self.where[b] = home
            self.relink(mine)
            self.relink(theirs)
            return True
        return self._swap(a, b, mine, theirs, joining)

    def _held(self, person: int) -> bool:
        """Whether person sits with the partner of a mutual wish planned for this round."""
        partner = self.partner[person]
        return partner != -1 and self.where[partner] == self.where[person]

    def _seat_free(self, a: int, b: int, mine: list[int], joining: int) -> bool:
        half, link, idle_count = self.half, self.link, self.idle_count
        best, best_gain = None, 0
        for x in mine:
            if x == a or idle_count[x] > idle_count[b] or self._held(x):
                continue
            gain = joining - half[b][x] - link[x]
            if gain > best_gain and self.fits(b, mine, self.met, leaving=x):
                best, best_gain = x, gain
        if best is None:
            return False
        mine[mine.index(best)] = b
        self.where[b], self.where[best] = self.where[best], -1
        if b in self.resting:
            self.resting.discard(b)
            self.resting.add(best)
        self.relink(mine)
        return True

    def _swap(self, a: int, b: int, mine: list[int], theirs: list[int], joining: int) -> bool:
        half, link = self.half, self.link
        best, best_gain = None, 0
        for x in mine:
            if x == a or self._held(x):
                continue
            row_x = half[x]
            gain = (
                joining
                - half[b][x]
                - link[x]
                - link[b]
                + sum(row_x[other] for other in theirs)
                - row_x[b]
            )
            if (
                gain > best_gain
                and self.fits(b, mine, self.met, leaving=x)
                and self.fits(x, theirs, self.met, leaving=b)
            ):
                best, best_gain = x, gain
        if best is None:
            return False
        mine[mine.index(best)] = b
        theirs[theirs.index(b)] = best
        self.where[b], self.where[best] = self.where[best], self.where[b]
        self.relink(mine)
        self.relink(theirs)
        return True


def _mutual(scores: Scores, i: int, j: int) -> bool:
    return j in scores.wants[i] and i in scores.wants[j]


def plan_mutual_wishes(
    pairs: list[tuple[int, int]], *, n: int, rounds: int
) -> list[list[tuple[int, int]]]:
    """Spread the mutual wishes over the rounds, at most one per person per round, so that a
    round's greedy does not spend someone on one wish that another round needed.

    This is colouring the edges of the wish graph with `rounds` colours: each pair, best
    first, gets a round free for both; when the free rounds differ (round a free for one,
    b for the other), the chain of pairs in rounds a and b that starts at the other person
    swaps its two rounds, which frees round a for both (Konig's method; it cannot fail
    when the graph has no odd cycle, and rarely does otherwise). A pair left without a
    round can still be met by the greedy.
    """
    at: list[dict[int, int]] = [{} for _ in range(n)]  # person -> {round: partner}
    for u, v in pairs:
        free_u = [c for c in range(rounds) if c not in at[u]]
        free_v = [c for c in range(rounds) if c not in at[v]]
        if not free_u or not free_v:
            continue
        common = [c for c in free_u if c not in at[v]]
        if common:
            at[u][common[0]], at[v][common[0]] = v, u
            continue
        a, b = free_u[0], free_v[0]
        path, person, colour = [v], v, a
        while colour in at[person]:
            person = at[person][colour]
            path.append(person)
            colour = b if colour == a else a
        if u in path:
            continue
        for one, other in pairwise(path):
            colour = next(c for c, partner in at[one].items() if partner == other)
            del at[one][colour], at[other][colour]
        for k, (one, other) in enumerate(pairwise(path)):
            colour = b if k % 2 == 0 else a
            at[one][colour], at[other][colour] = other, one
        at[u][a], at[v][a] = v, u
    planned: list[list[tuple[int, int]]] = [[] for _ in range(rounds)]
    for u, v in pairs:
        for colour, partner in at[u].items():
            if partner == v:
                planned[colour].append((u, v))
    return planned
