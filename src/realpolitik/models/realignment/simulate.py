"""The pivot's alignment year by year: leadership turnover of all three actors and re-bidding.

Year 1 is the equilibrium of :func:`~realpolitik.models.realignment.game.solve`. In each later
year every actor's government may change and every standing promise may lapse; in a year in
which either happens on a path (and the path's horizon covers it) the courter and the incumbent
bid again in the same game, over the years left, from the state of the promises then standing
(:func:`rebid_problem`). In the other years the pivot only re-chooses among its options with the
promises it holds.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import partial

import numpy as np

from realpolitik.errors import ModelError
from realpolitik.models.commitment import Turnover
from realpolitik.models.realignment.accounting import (
    Accounts,
    KnownParts,
    accounts,
    bid_accounts,
    group_forms,
    survival_groups,
    turnover_years,
)
from realpolitik.models.realignment.backend import use_compiled
from realpolitik.models.realignment.game import (
    RealignmentSolution,
    closed_on_paths,
    closed_options,
    equilibrium_bids,
    solve,
)
from realpolitik.models.realignment.problem import (
    COURTER,
    INCUMBENT,
    RealignmentProblem,
    when_read,
)
from realpolitik.models.realignment.rows import put_rows, take_rows
from realpolitik.rng import RNGLike, as_generator

__all__ = [
    "SimulationResult",
    "simulate",
    "rebid_problem",
    "STANDING",
    "SUCCESSOR",
]

#: Name of the component that carries the standing promises into a re-bid game.
STANDING = "standing promises"
#: Relative edge of the option P holds in a re-bid game (P keeps where it is when indifferent).
KEEP_TIE = 1e-9
#: Name of the component that carries a successor government's shift into a re-bid game.
SUCCESSOR = "pivot successor"


@dataclass(frozen=True)
class SimulationResult:
    """Yearly alignment of the pivot.

    ``aligned[b, t, o]``: share of the paths of draw ``b`` in which P holds option ``o`` in year
    ``t + 1``, NaN beyond the draw's horizon; ``p_aligned[t, o]``: its mean over the draws whose
    horizon covers year ``t + 1`` (NaN if none); ``covered[t]``: how many draws that is;
    ``duration``: mean years a realignment of year 1 lasts (0 if P stays), censored at the
    horizon; ``rebids[t]``: share of the paths alive in year ``t + 1`` on which the two sides
    bid again that year (0 in year 1 and without re-bidding). With ``simulate(..., until=k)``
    ``aligned``, ``p_aligned`` and ``rebids`` are NaN after year ``k``."""

    aligned: np.ndarray  # (B, T, 3)
    p_aligned: np.ndarray  # (T, 3)
    covered: np.ndarray  # (T,)
    duration: np.ndarray  # (B,)
    expected_duration: float  # over draws (and paths) that realign in year 1; nan if none
    rebids: np.ndarray  # (T,)


@dataclass
class _Paths:
    """The state of every simulated path (``n`` = draws x paths); levers in the problem's order.

    ``extent`` is the extent at which each lever's promise stands (0: none, or lapsed);
    ``unit_value`` its yearly credible value to P per unit extent, ``unit_trade`` the yearly
    value of a unit of trade it fills, both fixed when the promise was made; ``target`` the
    option the promise is conditional on (0 for the incumbent's counter); ``repudiation`` and
    ``successor_repudiation`` the form the promise took on this path."""

    draw: np.ndarray  # (n,) index of the draw
    option: np.ndarray  # (n,) 0 stay, 1 hedge, 2 courter
    successor: np.ndarray  # (n,) a successor government rules the pivot
    extent: np.ndarray  # (n, L)
    unit_value: np.ndarray  # (n, L)
    unit_trade: np.ndarray  # (n, L)
    target: np.ndarray  # (n, L)
    repudiation: np.ndarray  # (n, L)
    successor_repudiation: np.ndarray  # (n, L)


_PATH_FIELDS = tuple(f.name for f in fields(_Paths))
#: The fields of the paths the standing values, re-bids and re-choices read; the last two
#: read only some of them.
_FOR_STANDING = frozenset(_PATH_FIELDS) - {"repudiation", "successor_repudiation"}
_FOR_REBID = frozenset(("draw", "option", "successor", "extent"))
_FOR_RECHOICE = frozenset(("draw", "option", "successor"))


@dataclass(frozen=True)
class _Fixed:
    """What a simulation's years share, found once: the year-1 problem's survival groups (for
    :func:`~realpolitik.models.realignment.accounting.bid_accounts`), per draw, the parts
    of the tie rule's scale that do not change (see :func:`_tie_scale`), and ``source``: the
    year-1 problem C-ordered, whose rows the re-bid games gather (faster, the same rows; see
    :meth:`~realpolitik.models.realignment.problem.RealignmentProblem.c_ordered`).

    ``reuse`` (``None`` in :meth:`of` without the year-1 accounts: each re-bid game and year
    finds everything again) holds what the years read of the year-1 problem and its accounts,
    each bit for bit what they would find themselves (see :class:`_Reused`)."""

    groups: list[list[int]]
    tie: tuple[np.ndarray, np.ndarray]
    reuse: _Reused | None = None
    source: RealignmentProblem | None = None

    @classmethod
    def of(cls, pb: RealignmentProblem, d: Accounts | None = None) -> _Fixed:
        """The constants of a simulation of ``pb`` (``d``: its accounts, to reuse)."""
        groups = survival_groups(pb)
        reuse = None if d is None else _Reused.of(pb, d, groups)
        return cls(groups, _tie_fixed(pb), reuse, pb.c_ordered())


@dataclass(frozen=True)
class _Reused:
    """Per draw of the year-1 problem, what the years would otherwise find again and again.

    ``weights`` (B, T) its discount weights: a re-bid game over the ``k`` years left has the
    first ``k`` of them (NumPy finds them for a game of more than one year by the loop it used
    for the year-1 problem; those of a one-year game are found again). ``turnover`` (B, 3,
    T + 1) courter's, incumbent's and pivot's yearly probability of a change of government over
    one year more than the horizon: a re-bid game ``s`` years on sees the same schedule moved up
    by ``s`` (its year ``j`` is year ``j + s``); a draw's three schedules are one row, so that a
    re-bid game's rows are gathered in one :func:`take_rows` (gathering them along the draws'
    axis of a (3, B, T + 1) array first copies its whole slice of years).
    ``components_sum`` (B, 2) the sum of its components (a re-bid game's two added components
    are added to it in order, as a sum along the axis adds). ``filling`` the levers that add
    capacity on some draw and ``capacity`` (B, K) their capacity; ``closed`` (B, 2) the
    options closed in year 1; ``forms`` (B, G + 1, 5) the commitment forms of the survival
    groups ``groups`` and the pivot's
    (:func:`~realpolitik.models.realignment.accounting.group_forms`: a re-bid game's are the
    rows of its draws)."""

    weights: np.ndarray
    turnover: np.ndarray
    components_sum: np.ndarray
    filling: np.ndarray
    capacity: np.ndarray
    closed: np.ndarray
    forms: np.ndarray

    @classmethod
    def of(cls, pb: RealignmentProblem, d: Accounts, groups: list[list[int]]) -> _Reused:
        """The parts of ``pb`` (whose accounts are ``d``, whose survival groups are
        ``groups``) that the years reuse."""
        filling = np.flatnonzero(np.any(pb.lever_capacity > 0, axis=0))
        return cls(
            weights=np.ascontiguousarray(d.weights),  # as the compiled gather reads it
            turnover=np.stack(turnover_years(pb, pb.years + 1), axis=1),
            components_sum=pb.components.sum(axis=1),
            filling=filling,
            capacity=pb.lever_capacity[:, filling],
            closed=closed_options(pb),
            forms=group_forms(pb, groups),
        )

    def known(self, sub: RealignmentProblem, draw: np.ndarray, years_gone: int) -> KnownParts:
        """The parts of the accounts of the re-bid game ``sub`` (:func:`rebid_problem` of the
        draws ``draw`` after ``years_gone`` years) that the year-1 problem already has."""
        T = sub.years
        K = sub.components.shape[1] - 2  # the standing promises and the successor come last
        if use_compiled(sub.batch):
            return self._known_compiled(sub, draw, years_gone, T, K)
        w = None
        if T > 1:  # a single year's power is found by another loop of NumPy's (SIMD)
            first = take_rows(self.weights, draw)[:, :T]
            w = np.where(np.arange(1, T + 1) <= sub.horizon[:, None], first, 0.0)
        s = years_gone + 1
        rows = take_rows(self.turnover, draw)  # (m, 3, T0 + 1)
        # each schedule C-ordered, as the kernels read it (the same values as before)
        q = [np.ascontiguousarray(rows[:, k, s : s + T]) for k in range(3)]
        if K == 0:  # a sum along the axis starts from its first item, not from zero
            comp = sub.components.sum(axis=1)
        else:
            comp = take_rows(self.components_sum, draw) + sub.components[:, K]
            comp = comp + sub.components[:, K + 1]
        return KnownParts(w, q[0], q[1], q[2], comp)  # the forms: read only compiled

    def _known_compiled(
        self, sub: RealignmentProblem, draw: np.ndarray, years_gone: int, T: int, K: int
    ) -> KnownParts:
        """:meth:`known` gathered in one compiled loop
        (:func:`~realpolitik.models.realignment.year_kernels.known_rows`), with the forms the
        compiled accounts read: the same arrays."""
        from realpolitik.models.realignment import year_kernels

        c = np.ascontiguousarray
        w, q, comp, forms = year_kernels.known_rows(
            c(draw), c(sub.horizon), years_gone + 1, T,
            c(self.weights) if T > 1 else None,  # a single year's: found by NumPy (SIMD)
            self.turnover, self.components_sum if K > 0 else None,
            c(sub.components), self.forms,
        )  # fmt: skip
        if comp is None:  # a sum along the axis starts from its first item, not from zero
            comp = sub.components.sum(axis=1)
        return KnownParts(w, q[0], q[1], q[2], comp, forms)


def _yearly_units(d: Accounts) -> tuple[np.ndarray, np.ndarray]:
    """Per unit extent, a lever's yearly credible value and the yearly value of its filled trade."""
    A = d.annuity[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(A > 0, d.lever_pv / A, 0.0)
        trade = np.where(A > 0, d.trade_weight / A, 0.0)
    return value, trade


@dataclass(frozen=True)
class _Bids:
    """What a solved game puts in force, one row per path: P's choice, the offers made, and the
    yearly value per unit extent of each lever promised (fixed when the promise is made)."""

    outcome: np.ndarray  # (m,)
    offer_target: np.ndarray  # (m,)
    package: np.ndarray  # (m, Lc)
    counter: np.ndarray  # (m, Li)
    unit_value: np.ndarray  # (m, L)
    unit_trade: np.ndarray  # (m, L)

    @classmethod
    def of(cls, sol: RealignmentSolution, d: Accounts, draw: np.ndarray) -> _Bids:
        """The bids of ``sol`` (whose accounts are ``d``) for the draws ``draw`` (one per path)."""
        return cls.made(sol.outcome, sol.offer_target, sol.package, sol.counter, d, draw)

    @classmethod
    def made(
        cls,
        outcome: np.ndarray,
        offer_target: np.ndarray,
        package: np.ndarray,
        counter: np.ndarray,
        d: Accounts,
        draw: np.ndarray,
    ) -> _Bids:
        """The bids of an equilibrium (its outcome, offer target, package and counter, whose
        accounts are ``d``) for the draws ``draw`` (one per path)."""
        value, trade = _yearly_units(d)
        if draw.size == outcome.size and np.array_equal(draw, np.arange(draw.size)):
            return cls(outcome, offer_target, package, counter, value, trade)
        return cls(
            outcome=outcome[draw],
            offer_target=offer_target[draw],
            package=take_rows(package, draw),
            counter=take_rows(counter, draw),
            unit_value=take_rows(value, draw),
            unit_trade=take_rows(trade, draw),
        )


def _apply_bids(pb: RealignmentProblem, state: _Paths, rows: np.ndarray, bids: _Bids) -> None:
    """Put P's choice and the offers of ``bids`` in force on the paths ``rows``.

    The offers of both sides are laid out on the problem's levers first, so that each field
    of the paths is read and written once for all levers."""
    ci, ii = pb.side(COURTER), pb.side(INCUMBENT)
    m, L = rows.size, len(pb.lever_names)
    target = bids.offer_target.astype(int)
    if use_compiled(state.draw.size):
        from realpolitik.models.realignment import year_kernels

        fields = (state.extent, state.unit_value, state.unit_trade, state.target, state.option)
        year_kernels.apply_bids(
            rows, ci, ii, target, bids.package, bids.counter, bids.unit_value, bids.unit_trade,
            bids.outcome, fields,
        )  # fmt: skip
        return
    new = np.zeros((m, L))
    new[:, ci] = np.where(target[:, None] > 0, bids.package, 0.0)
    new[:, ii] = bids.counter
    tgt = np.zeros((m, L), int)
    tgt[:, ci] = target[:, None]
    made = new > 0
    for name, value in (
        ("extent", new),
        ("unit_value", bids.unit_value),
        ("unit_trade", bids.unit_trade),
        ("target", tgt),
    ):
        field = getattr(state, name)
        put_rows(field, rows, np.where(made, value, take_rows(field, rows)))
    state.option[rows] = bids.outcome


def _initial_paths(
    pb: RealignmentProblem,
    sol: RealignmentSolution,
    d: Accounts,
    paths: int,
    gen: np.random.Generator,
) -> _Paths:
    """Every path in year 1: the equilibrium, each promise's form drawn once per path."""
    draw = np.repeat(np.arange(pb.batch), paths)
    n, L = draw.size, len(pb.lever_names)
    rr = pb.lever_annual_repudiation[draw]
    ss = pb.lever_successor_repudiation[draw]
    if np.any(pb.lever_form_probability < 1.0):
        formed = gen.random(rr.shape) < pb.lever_form_probability[draw]
        rr = np.where(formed, rr, pb.lever_fallback_annual_repudiation[draw])
        ss = np.where(formed, ss, pb.lever_fallback_successor_repudiation[draw])
    state = _Paths(
        draw=draw,
        option=np.zeros(n, np.int8),
        successor=np.zeros(n, bool),
        extent=np.zeros((n, L)),
        unit_value=np.zeros((n, L)),
        unit_trade=np.zeros((n, L)),
        target=np.zeros((n, L), int),
        repudiation=np.where(pb.lever_committed, rr, 0.0),
        successor_repudiation=np.where(pb.lever_committed, ss, 0.0),
    )
    _apply_bids(pb, state, np.arange(n), _Bids.of(sol, d, draw))
    return state


def _turnover_and_lapses(
    pb: RealignmentProblem, state: _Paths, q: np.ndarray, u: np.ndarray, rows: np.ndarray | None
) -> np.ndarray:
    """One year's changes of government (``q``: (3, m) courter, incumbent, pivot) and lapses on
    the paths ``rows`` (``None``: every path; ``q`` and ``u`` are for those paths).

    A standing promise lapses with its annual repudiation probability ``r``, or ``1 - (1 - r)
    (1 - s)`` if its giver's government changed. Returns, for each of those paths, whether it
    had an event (a change of any government or a lapse)."""
    changed = u[:3] < q
    giver = np.where(pb.lever_side == COURTER, 0, 1)  # (L,)
    giver_changed = changed[giver].T  # (m, L)
    if rows is None:
        state.successor |= changed[2]
        extent, rep, srep = state.extent, state.repudiation, state.successor_repudiation
    else:
        state.successor[rows] |= changed[2]
        extent = take_rows(state.extent, rows)
        rep = take_rows(state.repudiation, rows)
        srep = take_rows(state.successor_repudiation, rows)
    keep = (1.0 - rep) * (1.0 - srep * giver_changed)
    lapse = (extent > 0) & (u[3:].T >= keep)
    extent[lapse] = 0.0
    if rows is not None:
        put_rows(state.extent, rows, extent)
    event: np.ndarray = np.any(changed, axis=0) | np.any(lapse, axis=1)
    return event


def _standing_values(
    pb: RealignmentProblem,
    state: _Paths,
    shortfall: np.ndarray,
    reuse: _Reused | None = None,
) -> np.ndarray:
    """(n, 3) yearly value to P of the promises standing for each option.

    Stay: the incumbent's counter. Hedge / courter: the courter's promises conditional on it,
    their direct value plus the trade their capacity fills (the most valuable unit first, up to
    the option's shortfall). ``reuse``: the capacity levers, if already at hand."""
    out = np.zeros((state.option.size, 3))
    direct = state.extent * state.unit_value
    out[:, 0] = np.sum(np.where(pb.lever_side == INCUMBENT, direct, 0.0), axis=1)
    # only levers that add capacity on some draw can fill trade (the others have none)
    if reuse is None:
        filling = np.flatnonzero(np.any(pb.lever_capacity > 0, axis=0))
        capacity = pb.lever_capacity[state.draw[:, None], filling]
    else:
        filling, capacity = reuse.filling, take_rows(reuse.capacity, state.draw)
    cap = capacity * state.extent[:, filling]  # (n, K)
    for o in (1, 2):
        mine = state.target == o
        out[:, o] = np.sum(np.where(mine, direct, 0.0), axis=1)
        at = np.flatnonzero(np.any(mine[:, filling] & (cap > 0), axis=0))
        if at.size == 0:
            continue
        cols = filling[at]
        w = np.where(mine[:, cols], state.unit_trade[:, cols], 0.0)
        order = np.argsort(-w, axis=1, kind="stable")
        a = np.take_along_axis(np.where(mine[:, cols], cap[:, at], 0.0), order, axis=1)
        w = np.take_along_axis(w, order, axis=1)
        room = shortfall[:, o - 1].copy()
        for r in range(cols.size):
            y = np.minimum(a[:, r], room)
            out[:, o] += w[:, r] * y
            room -= y
    return out


def _rechoose(
    pb: RealignmentProblem,
    state: _Paths,
    d: Accounts,
    t: int,
    rows: np.ndarray,
    part: _Paths,
    standing: np.ndarray,
    tie: tuple[np.ndarray, np.ndarray] | None = None,
    closed: np.ndarray | None = None,
) -> None:
    """P re-chooses without new bids on the paths ``rows`` (``part``: their state, ``standing``
    their :func:`_standing_values`; ``tie``: :func:`_tie_fixed`; ``closed``: the year-1
    problem's :func:`~realpolitik.models.realignment.game.closed_options`, if at hand): an
    option's yearly value over
    the years left, minus the one-off cost of moving there; P moves only if another option is
    strictly better (by more than :data:`KEEP_TIE` of its yearly scale, so that rounding cannot
    move it)."""
    draw, option = part.draw, part.option
    shift = np.concatenate([np.zeros((draw.size, 1)), take_rows(pb.successor_shift, draw)], axis=1)
    flow = take_rows(d.flow, draw) + np.where(part.successor[:, None], shift, 0.0) + standing
    rho = pb.discount_rate[draw]
    # years left from year t + 1: sum_{u > t} delta^(u - t) = (sum_{u > t} w_u) / delta^t
    left = d.weights[draw, t:].sum(axis=1) * (1.0 + rho) ** t
    move = _moving_cost(take_rows(pb.switching_cost, draw), option)
    v = flow * left[:, None] - move
    shut = (
        closed_on_paths(pb, draw, part.successor)
        if closed is None
        else take_rows(closed, draw)
        & ~(take_rows(pb.regime_blocks, draw) & part.successor[:, None])
    )
    v[:, 1:] = np.where(shut, -np.inf, v[:, 1:])
    here = np.take_along_axis(v, option[:, None].astype(int), axis=1)[:, 0]
    best = np.argmax(v, axis=1)  # the first maximum: stay before hedge before courter
    # indifferent within twice the re-bid game's edge (which the courter may have used): P
    # keeps where it is
    edge = 2.0 * KEEP_TIE * _tie_scale(pb, draw, standing, tie) * left
    state.option[rows] = np.where(v.max(axis=1) > here + edge, best, option)


def _tie_scale(
    pb: RealignmentProblem,
    draw: np.ndarray,
    standing: np.ndarray,
    fixed: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """(m,) the yearly scale of a path's values, for the tie rule: 1 + the absolute components,
    standing promises and trade at stake. ``fixed``: :func:`_tie_fixed` of ``pb`` (found here
    for the draws ``draw`` only if omitted)."""
    if fixed is None:
        base, trade = _tie_fixed(pb, draw)
    else:
        base, trade = fixed[0][draw], fixed[1][draw]
    out: np.ndarray = base + np.abs(standing).sum(axis=1) + trade
    return out


def _tie_fixed(
    pb: RealignmentProblem, draw: np.ndarray | slice = slice(None)
) -> tuple[np.ndarray, np.ndarray]:
    """Per draw (all, or those of ``draw``), the parts of :func:`_tie_scale` that are the same
    every year: 1 + the absolute components, and the trade at stake."""
    base: np.ndarray = 1.0 + np.abs(pb.components[draw]).sum(axis=(1, 2))
    return base, pb.gains_share[draw] * pb.trade_with_incumbent[draw]


def _moving_cost(switching_cost: np.ndarray, option: np.ndarray) -> np.ndarray:
    """(n, 3) one-off cost of moving to each option from ``option``: leaving the incumbent costs
    ``switching_cost``, going on from hedge to courter the rest of it, returning nothing."""
    sc0, sc1 = switching_cost[:, 0], switching_cost[:, 1]
    rest = np.maximum(sc1 - sc0, 0.0)
    at_stay, at_hedge = option == 0, option == 1
    out = np.zeros((option.size, 3))
    out[:, 1] = np.where(at_stay, sc0, 0.0)
    out[:, 2] = np.where(at_stay, sc1, np.where(at_hedge, rest, 0.0))
    return out


def _subset(state: _Paths, rows: np.ndarray, only: frozenset[str] = _FOR_STANDING) -> _Paths:
    """The paths ``rows`` (copies of the fields ``only``, the others left out: empty). By
    default what the standing values and the year's choices read (not the forms of the
    promises, which only the lapses read)."""
    empty = np.zeros((0, 0))
    idx = np.flatnonzero(rows) if rows.dtype == bool else rows
    kw = {f: take_rows(getattr(state, f), idx) if f in only else empty for f in _PATH_FIELDS}
    return _Paths(**kw)


def _shifted_turnover(turnover: Turnover, years: int, draw: np.ndarray) -> Turnover:
    """The same turnover of the draws ``draw`` seen from ``years`` later: the next scheduled
    election moves up."""
    k = np.asarray(turnover.elections_every)[draw]
    n0 = np.asarray(turnover.next_election)[draw]
    safe_k = np.where(k > 0, k, 1)
    ahead = n0 - years
    cycles = np.where(ahead >= 1, 0, -((ahead - 1) // safe_k))  # ceil((1 - ahead) / k)
    nxt = np.where(k > 0, ahead + cycles * safe_k, 1)
    return Turnover(
        annual_hazard=np.asarray(turnover.annual_hazard)[draw],
        elections_every=k,
        next_election=nxt,
        change_probability=np.asarray(turnover.change_probability)[draw],
    )


def rebid_problem(
    pb: RealignmentProblem,
    draw: np.ndarray,
    years_gone: int,
    standing: np.ndarray,
    option: np.ndarray,
    successor: np.ndarray,
    busy: np.ndarray,
    tie: tuple[np.ndarray, np.ndarray] | None = None,
) -> RealignmentProblem:
    """The same game over the years left, from the state of the promises then standing.

    Parameters
    ----------
    pb : the year-1 problem; ``draw`` (m,) the draw of each re-bidding path.
    years_gone : years already simulated before this one: the game is valued over the
        ``horizon - years_gone`` years left, from year ``years_gone + 1``, whose changes of
        government have just happened (they are why the sides bid again), so the promises
        made now first face the turnover of the year after (election schedules move up by
        ``years_gone + 1``).
    standing : (m, 3) yearly value to P of the promises standing for stay / hedge / courter;
        it enters as the component :data:`STANDING` (hedge / courter against stay).
    option : (m,) where P is: moving costs what is left of the switching cost (nothing to
        return to the incumbent, nothing to move from courter to hedge); when indifferent P
        keeps it (it gets an edge of :data:`KEEP_TIE` of the game's scale per year).
    successor : (m,) a successor government rules P: ``successor_shift`` enters as the
        component :data:`SUCCESSOR`.
    busy : (m, L) levers whose promise still stands: not offered again until it lapses.
    tie : the parts of the tie rule's scale fixed per draw of ``pb``, if already at hand (a
        simulation finds them once).

    Raises
    ------
    ModelError
        If ``years_gone`` leaves no year of some path's horizon to bid over.

    Notes
    -----
    The incumbent side's stake (``incumbent_value`` and its allies' ``payer_value``) and its
    levers' maximum extent are at ``(1 - incumbent_decline)^years_gone`` of their first level.
    """
    horizon = _years_left(pb.horizon[draw], years_gone)
    # the fields replaced below are read from ``pb`` by ``draw``, not copied first; the others
    # are copied when first read (the bidding never reads some of them: the commitment forms
    # and turnover where its caller has found the survival already)
    sub = pb.take(draw, leave=_REPLACED, when_read=True)
    # the incumbent's side declines between bids: its stake and the reach of its levers
    left = (1.0 - sub.incumbent_decline) ** years_gone  # (m,)
    gone = years_gone + 1  # the election schedules move up by the years gone and this one
    turnovers = {
        name: when_read(partial(_shifted_turnover, getattr(pb, name), gone, draw))
        for name in ("pivot_turnover", "incumbent_turnover", "courter_turnover")
    }
    names = (*pb.component_names, STANDING, SUCCESSOR)
    derive = _derived_compiled if tie is not None and use_compiled(draw.size) else _derived
    state = (standing, option, successor, busy)
    return sub.with_derived(
        horizon=horizon,
        component_names=names,
        **derive(pb, sub, draw, state, left, tie),
        **turnovers,
    )


def _derived(
    pb: RealignmentProblem,
    sub: RealignmentProblem,
    draw: np.ndarray,
    state: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    left: np.ndarray,
    tie: tuple[np.ndarray, np.ndarray] | None,
) -> dict[str, np.ndarray]:
    """The fields of :func:`rebid_problem`'s game ``sub`` (the draws ``draw`` of ``pb``) that
    it derives from its paths' ``state`` (standing values, option, successor, busy levers)
    and the incumbent side's remaining share ``left``: ``components``, ``switching_cost``,
    ``lever_min``, ``lever_max``, ``incumbent_value``, ``payer_value``, ``regime_blocks``."""
    standing, option, successor, busy = state
    inc = pb.lever_side == INCUMBENT
    ally = pb.payer_side == INCUMBENT
    # P keeps where it is when indifferent: the option it holds gets a yearly edge of KEEP_TIE
    # relative to the game's scale, so that rounding in the standing values cannot move it
    edge = KEEP_TIE * _tie_scale(pb, draw, standing, tie)
    held = standing + edge[:, None] * (np.arange(3)[None, :] == option[:, None])
    comps = np.concatenate(
        [
            take_rows(pb.components, draw),
            (held[:, 1:] - held[:, :1])[:, None, :],
            np.where(successor[:, None], sub.successor_shift, 0.0)[:, None, :],
        ],
        axis=1,
    )
    move = _moving_cost(take_rows(pb.switching_cost, draw), option)[:, 1:]
    lever_max = take_rows(pb.lever_max, draw)
    hi = np.where(inc, lever_max * left[:, None], lever_max)
    hi = np.where(busy, 0.0, hi)
    payer_value = take_rows(pb.payer_value, draw)
    return {
        "incumbent_value": take_rows(pb.incumbent_value, draw) * left[:, None],
        "payer_value": np.where(
            ally[None, :, None], payer_value * left[:, None, None], payer_value
        ),
        "components": comps,
        "switching_cost": move,
        "lever_min": np.minimum(take_rows(pb.lever_min, draw), hi),
        "lever_max": hi,
        "regime_blocks": take_rows(pb.regime_blocks, draw) & ~successor[:, None],
    }


def _derived_compiled(
    pb: RealignmentProblem,
    sub: RealignmentProblem,
    draw: np.ndarray,
    state: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    left: np.ndarray,
    tie: tuple[np.ndarray, np.ndarray] | None,
) -> dict[str, np.ndarray]:
    """:func:`_derived` in one compiled loop over the paths
    (:func:`~realpolitik.models.realignment.year_kernels.rebid_fields`), the same bits; needs
    ``tie`` (the simulation's)."""
    from realpolitik.models.realignment import year_kernels

    if tie is None:  # the kernel reads the simulation's tie parts: without them, NumPy's
        return _derived(pb, sub, draw, state, left, tie)
    c = np.ascontiguousarray
    year1 = tuple(
        c(getattr(pb, f))
        for f in (
            "components", "successor_shift", "switching_cost", "lever_min", "lever_max",
            "incumbent_value", "payer_value", "regime_blocks",
        )
    )  # fmt: skip
    standing, option, successor, busy = state
    comps, move, lo, hi, iv, pv, blocks = year_kernels.rebid_fields(
        c(draw), c(standing), c(option), c(successor), c(busy), c(left),
        (c(tie[0]), c(tie[1])), year1,
        pb.lever_side == INCUMBENT, pb.payer_side == INCUMBENT, KEEP_TIE,
    )  # fmt: skip
    return {
        "incumbent_value": iv,
        "payer_value": pv,
        "components": comps,
        "switching_cost": move,
        "lever_min": lo,
        "lever_max": hi,
        "regime_blocks": blocks,
    }


def _years_left(horizon: np.ndarray, years_gone: int) -> np.ndarray:
    """The horizon of each re-bid game: the years left after ``years_gone`` (at least one)."""
    if np.any(horizon <= years_gone):
        raise ModelError(
            f"rebid_problem: years_gone {years_gone} leaves no year to bid over on some paths "
            f"(their shortest horizon is {int(horizon.min())} years)"
        )
    left: np.ndarray = horizon - years_gone
    return left


#: The fields :func:`rebid_problem` replaces (not copied from the year-1 problem first).
_REPLACED = frozenset(
    (
        "incumbent_value",
        "payer_value",
        "horizon",
        "components",
        "switching_cost",
        "lever_min",
        "lever_max",
        "pivot_turnover",
        "incumbent_turnover",
        "courter_turnover",
        "regime_blocks",
    )
)


def _rebid(
    pb: RealignmentProblem,
    state: _Paths,
    t: int,
    rows: np.ndarray,
    part: _Paths,
    standing: np.ndarray,
    fixed: _Fixed,
) -> None:
    """Both sides bid again on the paths ``rows`` in year ``t + 1`` (``part``: their state,
    ``standing`` their :func:`_standing_values`); P takes the best option.

    Paths of one draw in the same state (where P is, a successor or not, the same standing
    values and busy levers) face the same game: with several paths per draw it is solved once
    per distinct state. Only what the equilibrium puts in force is solved for
    (:func:`~realpolitik.models.realignment.game.equilibrium_bids` on
    :func:`~realpolitik.models.realignment.accounting.bid_accounts`; ``fixed``: the
    simulation's constants): the same bids as :func:`solve`."""
    busy = part.extent > 0
    game = np.arange(rows.size)
    if state.draw.size > pb.batch:  # several paths per draw
        key = np.column_stack([part.draw, part.option, part.successor, standing, busy])
        _, one, game = np.unique(key, axis=0, return_index=True, return_inverse=True)
        game = game.reshape(-1)
        draw, state_of = (
            part.draw[one],
            (take_rows(standing, one), part.option[one], part.successor[one]),
        )
        busy = take_rows(busy, one)
    else:  # one game per path: its state as it is (``part`` is the caller's copy)
        draw, state_of = part.draw, (standing, part.option, part.successor)
    source = pb if fixed.source is None else fixed.source
    sub = rebid_problem(source, draw, t, *state_of, busy, tie=fixed.tie)
    known = None if fixed.reuse is None else fixed.reuse.known(sub, draw, t)
    derived = bid_accounts(sub, fixed.groups, known)
    bids = _Bids.made(*equilibrium_bids(sub, derived), derived, game)
    _apply_bids(pb, state, rows, bids)


def _year(
    pb: RealignmentProblem,
    state: _Paths,
    d: Accounts,
    t: int,
    live: np.ndarray,
    again: np.ndarray,
    fixed: _Fixed,
) -> None:
    """Year ``t + 1`` after its events on the paths ``live`` (those within their horizon):
    both sides bid again where ``again`` (n,), P re-chooses on the others. The standing values
    of all of them are found at once (each path's are its own: the re-bids change no other
    path's state)."""
    if live.size == 0:
        return
    # every path live: its state is read as it is (the re-bids write only the rows they
    # re-bid, which the re-choice does not read)
    part = state if live.size == state.draw.size else _subset(state, live)
    reuse = fixed.reuse
    shortfall = take_rows(d.shortfall, part.draw)
    if reuse is not None and use_compiled(state.draw.size):
        from realpolitik.models.realignment import year_kernels

        standing = year_kernels.standing_values(
            part.extent, part.unit_value, part.unit_trade, part.target, part.draw,
            pb.lever_side == INCUMBENT, reuse.filling, reuse.capacity, shortfall,
        )  # fmt: skip
    else:
        standing = _standing_values(pb, part, shortfall, reuse)
    # the rows of the re-bidding and the quiet paths as index arrays, each gathered by
    # :func:`take_rows` (the same rows as a boolean mask picks, faster)
    hit = np.take(again, live)
    ahead, quiet = np.flatnonzero(hit), np.flatnonzero(~hit)
    if ahead.size:
        part_hit = _subset(part, ahead, _FOR_REBID)
        _rebid(pb, state, t, np.take(live, ahead), part_hit, take_rows(standing, ahead), fixed)
    if quiet.size:
        part_calm = _subset(part, quiet, _FOR_RECHOICE)
        rows, calm_standing = np.take(live, quiet), take_rows(standing, quiet)
        if reuse is None:
            _rechoose(pb, state, d, t, rows, part_calm, calm_standing, fixed.tie)
        else:
            _rechoose_with(pb, state, d, t, rows, part_calm, calm_standing, fixed, reuse)


def _rechoose_with(
    pb: RealignmentProblem,
    state: _Paths,
    d: Accounts,
    t: int,
    rows: np.ndarray,
    part: _Paths,
    standing: np.ndarray,
    fixed: _Fixed,
    reuse: _Reused,
) -> None:
    """:func:`_rechoose` with the simulation's constants ``fixed`` and what its years reuse
    (``reuse``: ``fixed.reuse``): compiled
    (:func:`~realpolitik.models.realignment.year_kernels.rechoose`) where the kernels run, the
    same numbers."""
    if not use_compiled(state.draw.size):
        _rechoose(pb, state, d, t, rows, part, standing, fixed.tie, reuse.closed)
        return
    from realpolitik.models.realignment import year_kernels

    growth = (1.0 + pb.discount_rate[part.draw]) ** t  # as :func:`_rechoose` finds it
    state.option[rows] = year_kernels.rechoose(
        part.draw, part.option, part.successor, standing, d.flow, pb.successor_shift,
        d.weights, t, growth, pb.switching_cost, reuse.closed, pb.regime_blocks, fixed.tie,
        2.0 * KEEP_TIE,
    )  # fmt: skip


def _events(
    pb: RealignmentProblem,
    state: _Paths,
    q: np.ndarray,
    t: int,
    u: np.ndarray,
    rows: np.ndarray | None,
) -> np.ndarray:
    """(n,) whether each path had an event in year ``t + 1``; only the paths ``rows`` (``None``:
    all) are advanced, the others keep their state and have none."""
    if rows is None:
        if use_compiled(state.draw.size):
            from realpolitik.models.realignment import year_kernels

            return year_kernels.lapses(
                q, t, u, state.draw, np.where(pb.lever_side == COURTER, 0, 1),
                state.repudiation, state.successor_repudiation, state.extent, state.successor,
            )  # fmt: skip
        return _turnover_and_lapses(pb, state, np.take(q[:, :, t], state.draw, axis=1), u, None)
    event = np.zeros(state.draw.size, bool)
    if rows.size:
        qt = np.take(q[:, :, t], state.draw[rows], axis=1)
        event[rows] = _turnover_and_lapses(pb, state, qt, u[:, rows], rows)
    return event


def simulate(
    problem: RealignmentProblem,
    rng: RNGLike = None,
    solution: RealignmentSolution | None = None,
    paths: int = 1,
    rebid: bool = True,
    until: int | None = None,
) -> SimulationResult:
    """Simulate the pivot's alignment year by year with leadership turnover and re-bidding.

    Steps (vectorised over draws and paths; the loop is over years only)
    ------------------------------------------------------------------
    1. Year 1: P holds the equilibrium outcome of :func:`solve`, with C's package (if one was
       offered) or I's counter (if one was made) in force.
    2. Each later year: each actor's government changes with its probability ``q(t)`` (hazard
       and scheduled elections); every standing promise lapses with its annual repudiation
       probability, or with its successor repudiation probability if its giver's government
       changed. If P's government changes, a successor rules from then on and the yearly value of
       hedging / aligning shifts by ``successor_shift``.
    3. On a path with such an event, if ``rebid``, C and I bid again in the same game over the
       years left (:func:`rebid_problem`): standing promises keep their value and are not
       offered again; new offers stand from then on. On the other paths P re-chooses: each
       option's yearly value (base flow, plus the standing promises of the side it is
       conditional on, each at its credible yearly value) times the years left, minus the
       one-off cost of moving; P moves only if another option is strictly better.

    Parameters
    ----------
    problem : RealignmentProblem
    rng : None | int | SeedSequence | Generator
    solution : a :func:`solve` result for ``problem`` (computed if omitted).
    paths : simulated paths per draw.
    rebid : bid again after every change of government or lapse (``False``: bids of year 1 only).
    until : the last year (>= 1) whose state is needed on every path; ``None``: all years. After
        it only the paths still in the realignment they made in year 1 are simulated (what
        ``duration`` reads), so ``aligned``, ``p_aligned`` and ``rebids`` are NaN for the later
        years. Each path's state up to ``until``, ``duration`` and the random numbers drawn are
        the same as without it (every year's numbers are drawn for every path).
    """
    gen = as_generator(rng)
    if paths < 1:
        raise ModelError("paths must be >= 1")
    if until is not None and until < 1:
        raise ModelError("until must be a year >= 1 (or None)")
    pb = problem
    sol = solve(pb) if solution is None else solution
    d = sol.derived if sol.derived is not None else accounts(pb)
    T, L = pb.years, len(pb.lever_names)
    state = _initial_paths(pb, sol, d, paths, gen)
    n = state.draw.size
    history = np.zeros((n, T), np.int8)
    history[:, 0] = state.option
    rebids = np.zeros(T)
    horizon = pb.horizon[state.draw]
    in_run = state.option > 0  # still in the realignment of year 1
    q = np.stack([d.q_courter, d.q_incumbent, d.q_pivot])  # (3, B, T)
    fixed = _Fixed.of(pb, d)
    for t in range(1, T):
        u = gen.random((3 + L, n))
        alive = horizon > t
        rows = None if until is None or t < until else np.flatnonzero(alive & in_run)
        event = _events(pb, state, q, t, u, rows)
        if rows is not None:
            alive = alive & in_run
            rebids[t] = np.nan
        again = event & alive if rebid else np.zeros(n, bool)
        if np.any(again) and rows is None:
            rebids[t] = again.sum() / max(int(alive.sum()), 1)
        _year(pb, state, d, t, np.flatnonzero(alive), again, fixed)
        history[:, t] = state.option
        in_run &= state.option > 0
    return _summarise(pb, history, paths, rebids, until)


def _summarise(
    pb: RealignmentProblem,
    history: np.ndarray,
    paths: int,
    rebids: np.ndarray,
    until: int | None = None,
) -> SimulationResult:
    """Shares by draw and year (NaN beyond a draw's horizon, and after ``until`` if given), and
    how long realignments last."""
    B0, T = pb.batch, pb.years
    onehot = np.stack([history == o for o in range(3)], axis=2)
    if paths == 1:  # the mean of one path is its 0 or 1 (divided by one)
        aligned = onehot.reshape(B0, T, 3).astype(float)
    else:
        aligned = onehot.reshape(B0, paths, T, 3).mean(axis=1)
    beyond = np.arange(T)[None, :] >= pb.horizon[:, None]  # (B0, T)
    aligned[beyond] = np.nan  # in place: ``aligned`` is the mean's new array
    if until is not None:
        aligned[:, until:] = np.nan
    covered = (~beyond).sum(axis=0)
    with np.errstate(invalid="ignore"):
        p_aligned = np.where(
            covered[:, None] > 0,
            np.nansum(aligned, axis=0) / np.maximum(covered, 1)[:, None],
            np.nan,
        )
    if until is not None:
        p_aligned[until:] = np.nan
    hz = np.repeat(pb.horizon, paths)
    # the years a path stays out of the incumbent's camp from year 1 on, within its horizon:
    # its leading run of such years (what summing their cumulative product counts)
    out = (history > 0) & (np.arange(T)[None, :] < hz[:, None])
    dur = np.where(out.all(axis=1), T, out.argmin(axis=1)).astype(float)
    realigned = history[:, 0] > 0
    exp_dur = float(dur[realigned].mean()) if np.any(realigned) else float("nan")
    return SimulationResult(
        aligned=aligned,
        p_aligned=p_aligned,
        covered=covered,
        duration=dur.reshape(B0, paths).mean(axis=1),
        expected_duration=exp_dur,
        rebids=rebids,
    )
