"""Simulated annealing of a whole schedule: the finish for small events."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from events.schedule_input import ScheduleProblem
from matching.core.schedule.points import Scores, table_half

_ANNEAL_HEAT = 80.0  # half points: at first, losing a mutual wish is taken a third of the time
_ANNEAL_COOLING = 1 / 200  # the heat at the end, relative to the start
_REPEAT_COST = 100  # half points, more than any pair earns


@dataclass(frozen=True, slots=True)
class Move:
    """A change to one round that Annealing may make: what it earns and costs, who leaves
    their table, who joins which, and who starts or stops sitting the round out."""

    gain: int
    repeated: int
    leaving: tuple[int, ...] = ()
    joining: tuple[tuple[int, int], ...] = ()
    seated: tuple[int, ...] = ()
    freed: tuple[int, ...] = ()


class Annealing:
    """Simulated annealing over the whole schedule, for small events, where a greedy round
    with a local search can stay stuck: sometimes a round must earn less so that a later
    one can seat everyone or meet a wish.

    A step picks a round and two people: it swaps them (between tables, or between a table
    and the free), moves one to a table with room (a table left with one person closes),
    lets one sit out, or seats two free people at a free table. Seating a pair again is
    allowed on the way, at a cost of _REPEAT_COST each, since the way from one good
    schedule to a better one often passes through a repeat; only schedules without repeats
    count as results. Who sits out changes only while everyone's rounds off stay at most one
    apart (or, if the start spread them further, no further apart than they are). Returns
    the best schedule it passed: the most evenly spread, then the most points.
    """

    def __init__(self, problem: ScheduleProblem, scores: Scores, rounds: list, *, seed: int):
        self.half = scores.half
        self.n = n = scores.n
        self.seats, self.table_count = problem.seats_per_table, problem.tables
        self.rng = np.random.default_rng(seed)
        self.rounds = [[list(table) for table in tables] for tables in rounds]
        self.where = [[-1] * n for _ in rounds]
        self.met = [[0] * n for _ in range(n)]  # in how many rounds two people share a table
        self.idle = [len(rounds)] * n
        for r, tables in enumerate(self.rounds):
            for t, table in enumerate(tables):
                for person in table:
                    self.where[r][person] = t
                    self.idle[person] -= 1
                    for other in table:
                        self.met[person][other] += other != person
        self.spread = max(self.idle) - min(self.idle)

    def run(self, steps: int) -> list:
        rng, n = self.rng, self.n
        best = [[list(table) for table in tables] for tables in self.rounds]
        points = sum(table_half(self.half, t) for ts in best for t in ts)
        best_key = (-max(0, self.spread - 1), points)
        repeats = 0
        picks = rng.integers(0, [len(self.rounds), n, n], size=(steps, 3)).tolist()
        chances = rng.random(steps).tolist()
        for step, ((r, a, b), chance) in enumerate(zip(picks, chances, strict=True)):
            heat = _ANNEAL_HEAT * _ANNEAL_COOLING ** (step / steps)

            def accept(gain: int, repeated: int, chance=chance, heat=heat) -> bool:
                energy = gain - _REPEAT_COST * repeated
                return energy >= 0 or chance < math.exp(energy / heat)

            move = self.propose(r, a, b)
            if move is None or not accept(move.gain, move.repeated):
                continue
            if (move.seated or move.freed) and not self._fair(seated=move.seated, freed=move.freed):
                continue
            for person in move.leaving:
                self._unplace(r, person)
            for person, t in move.joining:
                self._place(r, person, t)
            points += move.gain
            repeats += move.repeated
            if repeats == 0 and (-max(0, self.spread - 1), points) > best_key:
                best_key = (-max(0, self.spread - 1), points)
                best = [[list(t) for t in tables if t] for tables in self.rounds]
        return best

    def propose(self, r: int, a: int, b: int) -> Move | None:
        """One change in round r around a and b that keeps the rules, or None."""
        where = self.where[r]
        if where[a] == -1:
            a, b = b, a
        at_a, at_b = where[a], where[b]
        if at_a == -1:
            return self._open(r, a, b)
        if a == b:
            return self._sit_out(r, a)
        if at_a == at_b:
            return None
        if at_b == -1:
            return self._seat(r, a, b)
        return self._exchange(r, a, b)

    def _open(self, r: int, a: int, b: int) -> Move | None:
        """Both free: a new table for them."""
        slot = self._free_slot(r)
        joined = None if a == b or slot is None else self._join(a, [b])
        return joined and Move(*joined, joining=((a, slot), (b, slot)), seated=(a, b))

    def _sit_out(self, r: int, a: int) -> Move:
        """a sits this round out; a table left with one person closes."""
        mine = self.rounds[r][self.where[r][a]]
        gain, repeated = self._leave(a, mine)
        out = (a,) if len(mine) > 2 else tuple(mine)
        return Move(-gain, -repeated, leaving=out, freed=out)

    def _seat(self, r: int, a: int, b: int) -> Move | None:
        """b, free, joins a's table if it has room, or else takes a's seat."""
        at_a = self.where[r][a]
        mine = self.rounds[r][at_a]
        if len(mine) < self.seats:
            joined = self._join(b, mine)
            return joined and Move(*joined, joining=((b, at_a),), seated=(b,))
        joined = self._join(b, mine, leaving=a)
        if joined is None:
            return None
        gain, repeated = self._leave(a, mine)
        return Move(
            joined[0] - gain,
            joined[1] - repeated,
            leaving=(a,),
            joining=((b, at_a),),
            seated=(b,),
            freed=(a,),
        )

    def _exchange(self, r: int, a: int, b: int) -> Move | None:
        """a moves to b's table if it has room (a table left with one person closes), or
        else a and b swap tables."""
        at_a, at_b = self.where[r][a], self.where[r][b]
        mine, theirs = self.rounds[r][at_a], self.rounds[r][at_b]
        if len(theirs) < self.seats:
            joined = self._join(a, theirs)
            if joined is None:
                return None
            gain, repeated = self._leave(a, mine)
            alone = tuple(o for o in mine if o != a) if len(mine) == 2 else ()
            return Move(
                joined[0] - gain,
                joined[1] - repeated,
                leaving=(a, *alone),
                joining=((a, at_b),),
                freed=alone,
            )
        b_joins, a_joins = self._join(b, mine, leaving=a), self._join(a, theirs, leaving=b)
        if b_joins is None or a_joins is None:
            return None
        a_left, b_left = self._leave(a, mine), self._leave(b, theirs)
        return Move(
            b_joins[0] + a_joins[0] - a_left[0] - b_left[0],
            b_joins[1] + a_joins[1] - a_left[1] - b_left[1],
            leaving=(a, b),
            joining=((a, at_b), (b, at_a)),
        )

    def _join(self, person: int, table: list[int], leaving: int = -1) -> tuple[int, int] | None:
        """(points, repeats) that `person` brings to `table` once `leaving` left; None when
        someone there would rather not meet them."""
        row, met = self.half[person], self.met[person]
        points = repeats = 0
        for other in table:
            if other == leaving:
                continue
            if row[other] < 0:
                return None
            points += row[other]
            repeats += met[other] > 0
        return points, repeats

    def _leave(self, person: int, table: list[int]) -> tuple[int, int]:
        """(points, repeats) that leave `table` with `person`."""
        row, met = self.half[person], self.met[person]
        others = [other for other in table if other != person]
        return sum(row[o] for o in others), sum(met[o] > 1 for o in others)

    def _fair(self, *, seated: tuple[int, ...] = (), freed: tuple[int, ...] = ()) -> bool:
        """Whether the rounds off stay at most one apart (or no further apart than now), once
        `seated` sit and `freed` sit out; if so, the new spread is kept."""
        idle = list(self.idle)
        for person in seated:
            idle[person] -= 1
        for person in freed:
            idle[person] += 1
        spread = max(idle) - min(idle)
        if spread > max(1, self.spread):
            return False
        self.spread = spread
        return True

    def _free_slot(self, r: int) -> int | None:
        """Where a new table goes in round r: an emptied one, a new one, or none left."""
        tables = self.rounds[r]
        for t, table in enumerate(tables):
            if not table:
                return t
        if len(tables) < self.table_count:
            tables.append([])
            return len(tables) - 1
        return None

    def _place(self, r: int, person: int, t: int) -> None:
        table = self.rounds[r][t]
        for other in table:
            self.met[person][other] += 1
            self.met[other][person] += 1
        table.append(person)
        self.where[r][person] = t
        self.idle[person] -= 1

    def _unplace(self, r: int, person: int) -> None:
        table = self.rounds[r][self.where[r][person]]
        table.remove(person)
        for other in table:
            self.met[person][other] -= 1
            self.met[other][person] -= 1
        self.where[r][person] = -1
        self.idle[person] += 1
