"""The realignment problem: everything the bidding game reads, as arrays over a batch of draws."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields, replace
from functools import partial
from typing import Any

import numpy as np

from realpolitik.errors import ModelError
from realpolitik.models.commitment import Turnover

__all__ = ["OPTIONS", "COURTER", "INCUMBENT", "PRINCIPAL", "MAX_BINARY_ENUM", "RealignmentProblem"]

#: The pivot's options, in this order everywhere (index 0, 1, 2).
OPTIONS = ("stay", "hedge", "courter")
#: Values of ``lever_side``.
COURTER, INCUMBENT = 0, 1
#: Value of ``lever_payer`` for a lever paid by its side's principal (the courter or incumbent).
PRINCIPAL = -1
#: Binary levers enumerated exactly by the fast path (2**n subsets per side).
MAX_BINARY_ENUM = 12
RESERVED = (
    "retaliation",
    "replacement",
    "switching_cost",
    "incumbent_counter",
    "outside_option",
    "credibility",
    "excess",
    "incumbent_levers",
)


def _f(x: Any) -> np.ndarray:
    return np.asarray(x, dtype=float)


@dataclass(frozen=True)
class RealignmentProblem:
    """Everything the bidding game needs, as arrays with a leading batch axis of ``B`` draws.

    Scalars and arrays without the batch axis are broadcast on construction; the constructor
    checks shapes and ranges and raises :class:`~realpolitik.errors.ModelError`. Per-option
    arrays have a last axis of 2: ``[hedge, courter]``. Values are yearly unless said otherwise.

    Attributes (scenario source in brackets)
    ----------------------------------------
    trade_with_incumbent : (B,) P's trade with I per year [realignment.trade.with_incumbent].
    gains_share : (B,) value to P per unit of that trade [realignment.trade.gains_share].
    retaliation : (B, 2) share of that trade I cuts if P hedges / aligns with C [.trade.retaliation].
    retaliation_credibility : (B,) probability that I carries the cut out at all
        [.trade.retaliation_credibility]; default 1.
    retaliation_annual_repudiation, retaliation_successor_repudiation : (B,) how a cut, once
        made, is sustained: it lapses like a promise of the incumbent, under I's turnover
        [.trade.retaliation_commitment: a commitment form]; default 0 (kept for the horizon).
    incumbent_gains_share : (B,) what each unit of the trade it cuts is worth to I per year: the
        cost of retaliating to I [.trade.incumbent_gains_share]; default ``gains_share``.
    replacement_capacity : (B, 2) trade the courter's side can absorb per option
        [.trade.replacement_capacity].
    components : (B, K, 2) other yearly values of each option against staying (security, status,
        sanctions, domestic, ...) [realignment.components, realignment.domestic].
    component_names : K names.
    switching_cost : (B, 2) one-off, immediate cost of leaving I (sunk investments) [.switching_cost].
    courter_value : (B, 2) yearly value to C of P hedging / aligning [.courter_value].
    incumbent_value : (B, 2) yearly loss to I of P hedging / aligning [.incumbent_value].
    payer_names : the other payers with their own valuation (allies of either side)
        [realignment.payer_value keys].
    payer_side : (P,) COURTER or INCUMBENT: the side each of them pays for.
    payer_value : (B, P, 2) their yearly value of P hedging / aligning (courter side) or loss
        from it (incumbent side) [realignment.payer_value.<id>].
    lever_payer : (L,) index into ``payer_names``, or PRINCIPAL (-1): the lever's cost is borne
        by its side's principal (C or I) [levers[].paid_by; a payer without a declared
        valuation is pooled with its side's principal].
    lever_names : L lever ids [levers[].id].
    lever_side : (L,) COURTER (0) or INCUMBENT (1): whose offer it is [levers[].by].
    lever_value, lever_cost : (B, L) value to P and cost to the giving side per year at extent 1
        [levers[].value, .cost]. Both must be >= 0.
    lever_min, lever_max : (B, L) extent bounds [levers[].extent]; an offer is either empty or
        has every lever of its side within bounds.
    lever_binary : (L,) on/off levers: off (extent 0), or on at any extent in
        ``[lever_min, lever_max]`` [levers[].binary]. Write ``min = max`` for an indivisible
        lever; raising ``max`` then widens what is on offer and never raises a price.
    lever_capacity : (B, L) trade per year at extent 1 that a lever lets the courter's side absorb
        [levers[].adds_replacement_capacity] (courter levers only). Such a lever at extent ``e``
        gives P its direct value ``v e`` always, and fills up to ``a e`` of the trade shortfall
        ``sf_o = max(retaliation_o T - replacement_capacity_o, 0)``, worth ``gains_share`` per
        unit; all capacity levers fill one shared shortfall: a package is worth
        ``v.e + g min(a.e, sf_o)`` a year (in PV each part discounted by the lever's survival;
        with unequally durable levers the most durable fill the shortfall first).
    lever_committed : (L,) the lever is a promise (discounted by survival) [levers[].commitment].
    lever_annual_repudiation, lever_successor_repudiation : (B, L) its commitment form
    lever_form_probability : (B, L) probability that the promise takes that form (a treaty that
        is ratified) [commitments[].ratification_probability]; default 1. Otherwise it takes its
        fallback form, ``lever_fallback_annual_repudiation`` and
        ``lever_fallback_successor_repudiation`` [commitments[].fallback]; its survival is the
        mixture ``p S_form(t) + (1 - p) S_fallback(t)``.
        [commitments[].annual_repudiation, .successor_repudiation].
    horizon : (B,) years (integer) [realignment.horizon].
    discount_rate : (B,) per year [realignment.discount_rate].
    pivot_turnover, incumbent_turnover, courter_turnover : :class:`Turnover` [actors[].turnover].
    pivot_annual_repudiation, pivot_successor_repudiation : (B,) credibility of the pivot's own
        alignment (FLAGSHIP F3) [proposed: realignment.pivot_commitment].
    successor_shift : (B, 2) change of the yearly value of hedge / courter when a successor
        government rules the pivot (its faction balance) [proposed: realignment.successor_shift].
    incumbent_decline : (B,) share by which the incumbent side's stake (its and its allies'
        valuations) and the reach of its levers (their maximum extent) shrink each year, in
        [0, 1) [realignment.incumbent_decline]; default 0. Read by the re-bids of
        :func:`~realpolitik.models.realignment.simulate.simulate`: a bid made ``t`` years after
        the first sees them at ``(1 - d)^t`` of their first level (within one bid's valuation they
        are held at the level of that bid).
    has_courter : whether a courter bids at all [realignment.courter]; default True. Without one
        the courter option is closed, and no lever, valuation or payer may be on its side: only
        the incumbent bids, to keep P from leaving for the hedge option (P's exit: it leaves
        without joining anyone).
    regime_blocks : (B, 2) the hedge / courter option is closed while P's current government
        rules: a demand on its regime that no package meets [realignment.regime_demands]; default
        False. A successor government lifts it (in the year-by-year simulation).
    """

    trade_with_incumbent: Any = 0.0
    gains_share: Any = 0.0
    retaliation: Any = 0.0
    replacement_capacity: Any = 0.0
    components: Any = None
    component_names: tuple[str, ...] = ()
    switching_cost: Any = 0.0
    courter_value: Any = 0.0
    incumbent_value: Any = 0.0
    lever_names: tuple[str, ...] = ()
    lever_side: Any = None
    lever_value: Any = None
    lever_cost: Any = None
    lever_min: Any = 0.0
    lever_max: Any = 1.0
    lever_binary: Any = False
    lever_capacity: Any = 0.0
    lever_committed: Any = False
    lever_annual_repudiation: Any = 0.0
    lever_successor_repudiation: Any = 0.0
    lever_form_probability: Any = 1.0
    lever_fallback_annual_repudiation: Any = 0.0
    lever_fallback_successor_repudiation: Any = 0.0
    horizon: Any = 10
    discount_rate: Any = 0.05
    pivot_turnover: Turnover = field(default_factory=Turnover)
    incumbent_turnover: Turnover = field(default_factory=Turnover)
    courter_turnover: Turnover = field(default_factory=Turnover)
    pivot_annual_repudiation: Any = 0.0
    pivot_successor_repudiation: Any = 0.0
    successor_shift: Any = 0.0
    retaliation_credibility: Any = 1.0
    retaliation_annual_repudiation: Any = 0.0
    retaliation_successor_repudiation: Any = 0.0
    incumbent_gains_share: Any = None
    payer_names: tuple[str, ...] = ()
    payer_side: Any = None
    payer_value: Any = None
    lever_payer: Any = None
    incumbent_decline: Any = 0.0
    has_courter: bool = True
    regime_blocks: Any = False

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        L = len(self.lever_names)
        K = len(self.component_names)
        if len(set(self.lever_names)) != L:
            raise ModelError("lever_names must be unique")
        if len(set(self.component_names)) != K:
            raise ModelError("component_names must be unique")
        clash = set(self.component_names) & set(RESERVED)
        if clash:
            raise ModelError(f"component names {sorted(clash)} are reserved by the decomposition")
        comps = np.zeros((1, 0, 2)) if self.components is None else _f(self.components)
        if comps.ndim == 2:
            comps = comps[None]
        if comps.ndim != 3 or comps.shape[1:] != (K, 2):
            raise ModelError(f"components must have shape (B, {K}, 2), got {comps.shape}")
        lv = np.zeros((1, 0)) if self.lever_value is None else _f(self.lever_value)
        lc = np.zeros((1, 0)) if self.lever_cost is None else _f(self.lever_cost)
        side = np.zeros(0, int) if self.lever_side is None else np.asarray(self.lever_side)
        P = len(self.payer_names)
        if len(set(self.payer_names)) != P:
            raise ModelError("payer_names must be unique")
        pv = np.zeros((1, P, 2)) if self.payer_value is None else _f(self.payer_value)
        if pv.ndim == 2:
            pv = pv[None]
        if pv.ndim != 3 or pv.shape[1:] != (P, 2):
            raise ModelError(f"payer_value must have shape (B, {P}, 2), got {pv.shape}")
        per_draw = self._per_draw_arrays(L, lv, lc)
        B = self._batch_size(per_draw, comps, pv)
        for name, (a, tail) in per_draw.items():
            try:
                if a.ndim <= len(tail):
                    out = np.broadcast_to(a, (B,) + tail)
                elif a.ndim == len(tail) + 1 and a.shape[0] in (1, B):
                    out = np.broadcast_to(a, (B,) + tail)
                else:
                    raise ValueError
            except ValueError:
                raise ModelError(
                    f"{name} must have shape {tail} or (B,) + {tail} with B = {B}, got {a.shape}"
                ) from None
            set_(self, name, np.array(out))
        set_(self, "components", np.array(np.broadcast_to(comps, (B, K, 2))))
        if pv.shape[0] not in (1, B):
            raise ModelError(f"payer_value must have a batch axis of 1 or {B}")
        set_(self, "payer_value", np.array(np.broadcast_to(pv, (B, P, 2))))
        pside = np.zeros(0, int) if self.payer_side is None else np.asarray(self.payer_side)
        if pside.shape != (P,) or not np.all(np.isin(pside, (COURTER, INCUMBENT))):
            raise ModelError(f"payer_side must be {P} values, each COURTER (0) or INCUMBENT (1)")
        set_(self, "payer_side", pside.astype(int))
        payer = (
            np.full(L, PRINCIPAL)
            if self.lever_payer is None
            else np.asarray(self.lever_payer).astype(int)
        )
        if payer.shape != (L,) or np.any((payer < PRINCIPAL) | (payer >= P)):
            raise ModelError(f"lever_payer must be {L} indices into payer_names, or PRINCIPAL")
        set_(self, "lever_payer", payer)
        for name, dtype in (("lever_binary", bool), ("lever_committed", bool)):
            a = np.asarray(getattr(self, name), dtype=dtype)
            set_(self, name, np.array(np.broadcast_to(a, (L,))))
        if side.shape != (L,) or not np.all(np.isin(side, (COURTER, INCUMBENT))):
            raise ModelError(f"lever_side must be {L} values, each COURTER (0) or INCUMBENT (1)")
        set_(self, "lever_side", side.astype(int))
        own = self.lever_payer >= 0
        if np.any(self.payer_side[self.lever_payer[own]] != self.lever_side[own]):
            raise ModelError("a lever's payer must be on the lever's side")
        for tname in ("pivot_turnover", "incumbent_turnover", "courter_turnover"):
            t = getattr(self, tname)
            kw = {}
            for fld in fields(t):
                a = np.asarray(getattr(t, fld.name))
                if a.ndim > 1 or (a.ndim == 1 and a.shape[0] not in (1, B)):
                    raise ModelError(f"{tname}.{fld.name} must be a number or shape (B,)")
                kw[fld.name] = np.array(np.broadcast_to(a, (B,)))
            set_(self, tname, Turnover(**kw))
        self._closed_options(B)
        self._validate()

    def _closed_options(self, B: int) -> None:
        """Check ``has_courter`` (nothing on a missing courter's side) and broadcast
        ``regime_blocks`` to ``(B, 2)``."""
        if not self.has_courter and (
            np.any(self.lever_side == COURTER)
            or np.any(self.payer_side == COURTER)
            or np.any(self.courter_value != 0)
        ):
            raise ModelError("without a courter, no lever, payer or valuation is on its side")
        blocks = np.asarray(self.regime_blocks, dtype=bool)
        if (
            blocks.ndim > 2
            or blocks.shape[-1:] not in ((), (2,))
            or blocks.size not in (1, 2, 2 * B)
        ):
            raise ModelError(f"regime_blocks must have shape (2,) or (B, 2), got {blocks.shape}")
        object.__setattr__(self, "regime_blocks", np.array(np.broadcast_to(blocks, (B, 2))))

    def _per_draw_arrays(
        self, L: int, lv: np.ndarray, lc: np.ndarray
    ) -> dict[str, tuple[np.ndarray, tuple[int, ...]]]:
        """Each per-draw field as an array, with the shape one draw of it has."""
        igs = self.gains_share if self.incumbent_gains_share is None else self.incumbent_gains_share
        per_draw = {
            "trade_with_incumbent": (_f(self.trade_with_incumbent), ()),
            "gains_share": (_f(self.gains_share), ()),
            "retaliation": (_f(self.retaliation), (2,)),
            "replacement_capacity": (_f(self.replacement_capacity), (2,)),
            "switching_cost": (_f(self.switching_cost), (2,)),
            "courter_value": (_f(self.courter_value), (2,)),
            "incumbent_value": (_f(self.incumbent_value), (2,)),
            "lever_value": (lv, (L,)),
            "lever_cost": (lc, (L,)),
            "lever_min": (_f(self.lever_min), (L,)),
            "lever_max": (_f(self.lever_max), (L,)),
            "lever_capacity": (_f(self.lever_capacity), (L,)),
            "lever_annual_repudiation": (_f(self.lever_annual_repudiation), (L,)),
            "lever_successor_repudiation": (_f(self.lever_successor_repudiation), (L,)),
            "lever_form_probability": (_f(self.lever_form_probability), (L,)),
            "lever_fallback_annual_repudiation": (
                _f(self.lever_fallback_annual_repudiation),
                (L,),
            ),
            "lever_fallback_successor_repudiation": (
                _f(self.lever_fallback_successor_repudiation),
                (L,),
            ),
            "horizon": (np.asarray(self.horizon), ()),
            "discount_rate": (_f(self.discount_rate), ()),
            "pivot_annual_repudiation": (_f(self.pivot_annual_repudiation), ()),
            "pivot_successor_repudiation": (_f(self.pivot_successor_repudiation), ()),
            "successor_shift": (_f(self.successor_shift), (2,)),
            "retaliation_credibility": (_f(self.retaliation_credibility), ()),
            "retaliation_annual_repudiation": (_f(self.retaliation_annual_repudiation), ()),
            "retaliation_successor_repudiation": (_f(self.retaliation_successor_repudiation), ()),
            "incumbent_gains_share": (_f(igs), ()),
            "incumbent_decline": (_f(self.incumbent_decline), ()),
        }
        return per_draw

    def _batch_size(
        self,
        per_draw: dict[str, tuple[np.ndarray, tuple[int, ...]]],
        comps: np.ndarray,
        pv: np.ndarray,
    ) -> int:
        """The number of draws B: the longest batch axis among the fields and turnovers."""
        B = 1
        for a, tail in per_draw.values():
            if a.ndim > len(tail):
                B = max(B, int(a.shape[0]))
        B = max(B, int(comps.shape[0]), int(pv.shape[0]))
        for t in (self.pivot_turnover, self.incumbent_turnover, self.courter_turnover):
            for fld in fields(t):
                a = np.asarray(getattr(t, fld.name))
                if a.ndim == 1:
                    B = max(B, int(a.shape[0]))
        return B

    def _validate(self) -> None:
        hz = self.horizon
        if not np.all(np.equal(np.mod(hz, 1), 0)) or np.any(hz < 1):
            raise ModelError("horizon must be whole years >= 1")
        object.__setattr__(self, "horizon", hz.astype(np.int64))
        nonneg = (
            "trade_with_incumbent",
            "gains_share",
            "replacement_capacity",
            "switching_cost",
            "lever_value",
            "lever_cost",
            "lever_capacity",
        )
        for name in nonneg:
            a = getattr(self, name)
            if np.any(~np.isfinite(a)) or np.any(a < 0):
                raise ModelError(f"{name} must be finite and >= 0")
        for name in (
            "retaliation",
            "retaliation_credibility",
            "retaliation_annual_repudiation",
            "retaliation_successor_repudiation",
            "lever_form_probability",
            "lever_annual_repudiation",
            "lever_successor_repudiation",
            "lever_fallback_annual_repudiation",
            "lever_fallback_successor_repudiation",
        ):
            a = getattr(self, name)
            if np.any(~np.isfinite(a)) or np.any(a < 0) or np.any(a > 1):
                raise ModelError(f"{name} must be shares in [0, 1]")
        dec = self.incumbent_decline
        if np.any(~np.isfinite(dec)) or np.any(dec < 0) or np.any(dec >= 1):
            raise ModelError("incumbent_decline must be a share in [0, 1)")
        ig = self.incumbent_gains_share
        if np.any(~np.isfinite(ig)) or np.any(ig < 0):
            raise ModelError("incumbent_gains_share must be finite and >= 0")
        if np.any(self.lever_min < 0) or np.any(self.lever_max < self.lever_min):
            raise ModelError("lever extents need 0 <= min <= max")
        inc = self.lever_side == INCUMBENT
        if np.any(self.lever_capacity[:, inc] > 0):
            raise ModelError("adds_replacement_capacity is only meaningful for courter levers")
        for name in (
            "components",
            "courter_value",
            "incumbent_value",
            "successor_shift",
            "payer_value",
        ):
            if np.any(~np.isfinite(getattr(self, name))):
                raise ModelError(f"{name} must be finite")

    @property
    def batch(self) -> int:
        """Number of draws ``B``."""
        return int(self.trade_with_incumbent.shape[0])

    @property
    def years(self) -> int:
        """The largest horizon of the batch (length of every year axis)."""
        return int(self.horizon.max())

    def side(self, which: int) -> np.ndarray:
        """Indices of the levers of one side (COURTER or INCUMBENT)."""
        return np.flatnonzero(self.lever_side == which)

    def take(
        self,
        index: int | slice | Sequence[int] | np.ndarray,
        *,
        leave: frozenset[str] = frozenset(),
        when_read: bool = False,
    ) -> RealignmentProblem:
        """The sub-batch of draws ``index`` (an int, slice or index array).

        The rows of a validated problem are valid: the sub-batch is built without checking
        them again (what the yearly re-bids of the simulation do many times). ``leave``: fields
        not taken, left whole (for a caller that replaces them at once with
        :meth:`with_derived`, as the re-bids do, and need not copy them first).
        ``when_read``: each field's rows are taken when the field is first read (the same
        rows), so that those never read are never copied; for a caller that builds many
        sub-batches of which only some fields are read (the re-bids: their bidding never reads
        the commitment forms or the turnover its caller has found already)."""
        idx = np.atleast_1d(np.arange(self.batch)[index])
        kw: dict[str, Any] = {}
        later: dict[str, Callable[[], Any]] = {}
        for name in _FIELD_NAMES:
            v = getattr(self, name)
            if name in leave or name in _PER_LEVER_OR_PAYER or isinstance(v, tuple):
                kw[name] = v
            elif when_read:
                later[name] = partial(_rows_of, v, idx)
            else:
                kw[name] = _rows_of(v, idx)
        return _unchecked(kw, later)

    def c_ordered(self) -> RealignmentProblem:
        """The same problem with every array C-ordered (this one if they all are already).

        A field built by stacking columns (an adapter's ``np.stack(..., axis=1)``) is
        Fortran-ordered; gathering rows of it (:meth:`take`) is several times slower than of a
        C-ordered copy, and gives the same C-ordered rows. For a caller that gathers rows of
        one problem many times, as the simulation's re-bids do."""
        changes: dict[str, Any] = {}
        for name in _FIELD_NAMES:
            v = getattr(self, name)
            if isinstance(v, np.ndarray) and not v.flags.c_contiguous:
                changes[name] = np.ascontiguousarray(v)
            elif isinstance(v, Turnover):
                parts = {f: getattr(v, f) for f in _TURNOVER_FIELDS}
                if not all(
                    isinstance(a, np.ndarray) and a.flags.c_contiguous for a in parts.values()
                ):
                    changes[name] = Turnover(
                        **{f: np.ascontiguousarray(a) for f, a in parts.items()}
                    )
        return self.with_derived(**changes) if changes else self

    def with_changes(self, **changes: Any) -> RealignmentProblem:
        """A copy with some fields replaced (re-validated)."""
        return replace(self, **changes)

    def with_derived(self, **changes: Any) -> RealignmentProblem:
        """A copy with some fields replaced, **not** re-validated: for code that derives them
        from this (validated) problem and guarantees their shapes (a batch axis of
        :attr:`batch`), dtypes and ranges, as :meth:`__post_init__` would leave them. Only the
        names are checked (unique, not reserved); :meth:`with_changes` checks everything.

        A field of this problem still to be found when read (:meth:`take` with ``when_read``)
        stays so in the copy; a replacement may be a callable of no arguments wrapped in
        :func:`when_read`, called when the field is first read."""
        unknown = set(changes) - _FIELD_SET
        if unknown:
            raise ModelError(f"unknown fields {sorted(unknown)}")
        pending = _pending(self)
        kw: dict[str, Any] = {}
        later: dict[str, Callable[[], Any]] = {}
        for name in _FIELD_NAMES:
            if name in changes:
                v = changes[name]
                if isinstance(v, _WhenRead):
                    later[name] = v.find
                else:
                    kw[name] = v
            elif name in pending:
                later[name] = pending[name]
            else:
                kw[name] = getattr(self, name)
        names = kw["component_names"]
        if len(set(names)) != len(names) or set(names) & set(RESERVED):
            raise ModelError("component names must be unique and not reserved")
        return _unchecked(kw, later)


#: Field names of :class:`RealignmentProblem`, in order.
_FIELD_NAMES = tuple(f.name for f in fields(RealignmentProblem))
_TURNOVER_FIELDS = tuple(f.name for f in fields(Turnover))
#: Fields without a batch axis (besides the tuples of names).
_PER_LEVER_OR_PAYER = frozenset(
    ("lever_side", "lever_binary", "lever_committed", "lever_payer", "payer_side", "has_courter")
)


_FIELD_SET = frozenset(_FIELD_NAMES)


def _rows_of(v: Any, idx: np.ndarray) -> Any:
    """The rows ``idx`` of a field with a batch axis (an array or a :class:`Turnover`)."""
    if isinstance(v, Turnover):
        return Turnover(**{f: np.take(getattr(v, f), idx, axis=0) for f in _TURNOVER_FIELDS})
    return np.take(v, idx, axis=0)  # ``v[idx]``, faster for rows of several values


@dataclass(frozen=True)
class _WhenRead:
    """A replacement for :meth:`RealignmentProblem.with_derived` found when first read."""

    find: Callable[[], Any]


def when_read(find: Callable[[], Any]) -> Any:
    """``find`` as a field of :meth:`RealignmentProblem.with_derived`: called (once) when the
    field is first read, not before (for a field its reader may never read)."""
    return _WhenRead(find)


class _Later:
    """The descriptor of a field of :class:`_Pending`: found when first read.

    A non-data descriptor: once found, the value is in the instance's ``__dict__``, which
    Python reads before it (a field read again costs what any attribute costs)."""

    def __init__(self, name: str) -> None:
        """The descriptor of the field ``name``."""
        self.name = name

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        """The field of ``obj``, found now (and kept) if it was still pending."""
        if obj is None:
            return self
        value = obj.__dict__["_later"].pop(self.name)()
        obj.__dict__[self.name] = value
        return value


class _Pending(RealignmentProblem):
    """A :class:`RealignmentProblem` some of whose fields are found when first read (see
    :meth:`RealignmentProblem.take`): every other behaviour is its base class's (a field
    not yet read is found by reading it; a copy or a pickle reads them all)."""

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled (and copied) as a plain problem with every field found."""
        return (_unchecked, ({name: getattr(self, name) for name in _FIELD_NAMES},))


for _name in _FIELD_NAMES:
    setattr(_Pending, _name, _Later(_name))


def _pending(pb: RealignmentProblem) -> dict[str, Callable[[], Any]]:
    """The fields of ``pb`` still to be found when read (name: how), none for most problems."""
    later: dict[str, Callable[[], Any]] = pb.__dict__.get("_later", {})
    return later


def _unchecked(
    kw: dict[str, Any], later: dict[str, Callable[[], Any]] | None = None
) -> RealignmentProblem:
    """A problem with exactly the fields ``kw`` (already normalised), without validation;
    ``later``: the other fields, each found (by calling it) when first read."""
    out = object.__new__(_Pending if later else RealignmentProblem)
    for name, value in kw.items():
        object.__setattr__(out, name, value)
    if later:
        out.__dict__["_later"] = dict(later)
    return out
