"""The :class:`Scenario`: the one object a user holds.

A scenario is a validated :class:`~realpolitik.scenario.schema.ScenarioSpec` plus where it came from
(file, lines) and its content hash. It answers the questions the models ask (sizes, propensities,
signed relations, every number with its key path and provenance) and nothing else: the modelling
itself lives in :mod:`realpolitik.models`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
from pydantic import BaseModel

from realpolitik.errors import ScenarioError
from realpolitik.scenario.schema import (
    BUILTIN_COMPONENTS,
    Actor,
    Dist,
    Quantity,
    Realignment,
    ScenarioSpec,
)
from realpolitik.scenario.yamlio import Loc, SourceMap


def key_path(*keys: str) -> str:
    """The key path of a number from its keys: the one rule, keys joined by dots.

    >>> key_path("levers", "sphere", "value")
    'levers.sphere.value'
    """
    return ".".join(keys)


@dataclass(frozen=True)
class QuantityRef:
    """A number of the scenario with its key path (``levers.sphere.value``) and file location."""

    path: str
    loc: Loc
    quantity: Quantity


@dataclass(frozen=True)
class UncertainNumber:
    """An uncertain number: its key path, distribution, point value and the claims it encodes."""

    path: str
    dist: Dist
    value: float
    claims: tuple[str, ...] = ()
    source: str | None = None
    note: str | None = None


def _walk(obj: Any, path: str, loc: Loc) -> Iterator[QuantityRef]:
    if isinstance(obj, Quantity):
        yield QuantityRef(path, loc, obj)
        return
    if isinstance(obj, Dist):
        return
    if isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            value = getattr(obj, name)
            alias = type(obj).model_fields[name].alias or name
            yield from _walk(value, key_path(path, alias) if path else alias, loc + (alias,))
        return
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield from _walk(value, key_path(path, key), loc + (key,))
        return
    if isinstance(obj, tuple):
        for i, item in enumerate(obj):
            ident = getattr(item, "id", None)
            if ident is None and hasattr(item, "between"):
                ident = f"{item.between[0]}~{item.between[1]}"
            if ident is None:
                continue
            yield from _walk(item, key_path(path, ident), loc + (i,))


@dataclass(frozen=True)
class Scenario:
    """A validated scenario.

    Build one with :func:`realpolitik.load` (from a file or a text) rather than directly.

    Attributes
    ----------
    spec : ScenarioSpec
        The typed content of the file.
    file : str
        Where it was read from (``<string>`` for text).
    source_map : SourceMap
        The line of every key path, for messages.
    """

    spec: ScenarioSpec
    file: str = "<string>"
    source_map: SourceMap | None = field(default=None, repr=False, compare=False)

    # ---- verbs (implemented above this layer: see realpolitik.hooks and realpolitik.notebook) ----
    def analyze(self, models: Sequence[str] | None = None, seed: int = 0) -> Any:
        """Point run of ``models`` (default: every model that applies).

        Returns an ``Analysis``: the typed result of each model by name (``.outputs()`` as a
        DataFrame). See :func:`realpolitik.notebook.analyze`.
        """
        from realpolitik.hooks import verbs

        return verbs().analyze(self, models=models, seed=seed)

    def experiment(
        self, draws: int = 1000, seed: int = 0, store: Any = None, **options: Any
    ) -> Any:
        """``draws`` draws of the uncertain numbers through every model that evaluates them.

        Returns an ``Experiment`` (``.to_frame()``, ``.outcome(name)``, ``.summary()``), with or
        without a ``store``. See :func:`realpolitik.notebook.experiment` for the options.
        """
        from realpolitik.hooks import verbs

        return verbs().experiment(self, draws=draws, seed=seed, store=store, **options)

    def run(self, draws: int = 0, seed: int = 0, out: Any = None, **options: Any) -> Any:
        """Everything ``realpolitik run`` does (and, with ``out``, the files it writes).

        See :func:`realpolitik.notebook.run` for the options.
        """
        from realpolitik.hooks import verbs

        return verbs().run(self, draws=draws, seed=seed, out=out, **options)

    # ---- identity ------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def title(self) -> str:
        return self.spec.title or self.spec.name

    @property
    def actors(self) -> tuple[Actor, ...]:
        """The principal actors (states and blocs): the ones alignment models place."""
        return tuple(a for a in self.spec.actors if a.kind != "faction")

    @property
    def actor_ids(self) -> tuple[str, ...]:
        return tuple(a.id for a in self.actors)

    def actor(self, ident: str) -> Actor:
        """The actor (or faction) with id ``ident``; ``KeyError`` if there is none."""
        for a in self.spec.actors:
            if a.id == ident:
                return a
        raise KeyError(ident)

    @property
    def realignment_block(self) -> Realignment:
        """The ``realignment:`` block, for code that needs one.

        Raises
        ------
        ScenarioError
            When the scenario has none.
        """
        block = self.spec.realignment
        if block is None:
            raise ScenarioError.single(
                "the scenario has no realignment block",
                file=self.file,
                path="realignment",
                expected="a realignment block (pivot, incumbent, courter, ...)",
                got="none",
            )
        return block

    def factions(self, parent: str) -> tuple[Actor, ...]:
        """The factions of ``parent``."""
        return tuple(a for a in self.spec.actors if a.kind == "faction" and a.parent == parent)

    def to_dict(self) -> dict[str, Any]:
        """The scenario as plain data (what a YAML file would hold)."""
        return self.spec.model_dump(mode="json", by_alias=True, exclude_none=True)

    @property
    def content_hash(self) -> str:
        """SHA-256 of the canonical content (independent of comments, order of keys, layout)."""
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    def line_of(self, loc: Loc) -> int | None:
        """The line of the file where the key at ``loc`` is (``None`` if unknown)."""
        return self.source_map.line(loc) if self.source_map else None

    # ---- numbers -------------------------------------------------------------------------------
    def quantities(self) -> Iterator[QuantityRef]:
        """Every number of the scenario with its key path."""
        yield from _walk(self.spec, "", ())

    @cached_property
    def _quantity_index(self) -> dict[str, QuantityRef]:
        return {ref.path: ref for ref in self.quantities()}

    def quantity(self, path: str) -> Quantity:
        """The number at key path ``path`` (looked up in an index built once per scenario)."""
        return self._quantity_index[path].quantity

    def value(self, path: str) -> float:
        """The point value of the number at key path ``path``."""
        return self.quantity(path).value

    def uncertainties(self) -> list[UncertainNumber]:
        """Every uncertain number: inline ``dist`` entries and the ``uncertainties:`` list."""
        out: dict[str, UncertainNumber] = {}
        refs = self._quantity_index
        for path, ref in refs.items():
            q = ref.quantity
            if q.dist is not None:
                out[path] = UncertainNumber(path, q.dist, q.value, q.claims, q.source, q.note)
        for u in self.spec.uncertainties:
            q = refs[u.path].quantity
            out[u.path] = UncertainNumber(
                u.path, u.dist, q.value, u.claims or q.claims, q.source, u.note or q.note
            )
        return list(out.values())

    def values_array(
        self, path: str, samples: Mapping[str, np.ndarray] | None, size: int
    ) -> np.ndarray:
        """The number at ``path`` for a batch: the sampled draws if given, else its point value."""
        if samples is not None and path in samples:
            return np.asarray(samples[path], dtype=float)
        return np.full(size, self.value(path), dtype=float)

    # ---- relations -----------------------------------------------------------------------------
    def component_weight(
        self, name: str, samples: Mapping[str, np.ndarray] | None = None, size: int | None = None
    ) -> float | np.ndarray:
        """The weight of component ``name`` (1 unless the scenario sets it), or its draws."""
        spec = self.spec.components.get(name)
        if spec is None:
            return 1.0
        path = key_path("components", name, "weight")
        if size and samples is not None and path in samples:
            return np.asarray(samples[path], dtype=float)
        return spec.weight.value

    def component_names(self) -> list[str]:
        """The built-in relation components, then the scenario's own."""
        names = list(BUILTIN_COMPONENTS)
        names += [n for n in self.spec.components if n not in BUILTIN_COMPONENTS]
        return names

    def sizes(self, ids: Sequence[str] | None = None) -> np.ndarray:
        """The sizes of the actors ``ids`` (default: the principal actors), in that order."""
        ids = self.actor_ids if ids is None else tuple(ids)
        return np.array([self.actor(i).size.value for i in ids], dtype=float)

    def propensity_matrix(
        self, ids: Sequence[str] | None = None, samples: Mapping[str, np.ndarray] | None = None
    ) -> np.ndarray:
        """Symmetric propensities p_ij = Σ_c w_c x_ij,c among ``ids`` (zero diagonal).

        With ``samples`` (key path -> draws), returns an array of shape (B, n, n).
        """
        ids = self.actor_ids if ids is None else tuple(ids)
        index = {a: i for i, a in enumerate(ids)}
        n = len(ids)
        size = None
        if samples:
            size = len(next(iter(samples.values())))
        p = np.zeros((size, n, n) if size else (n, n))
        for rel in self.spec.relations:
            a, b = rel.between
            if a not in index or b not in index:
                continue
            for cname, q in rel.components.items():
                path = key_path("relations", rel.key, "components", cname)
                w = self.component_weight(cname, samples, size)
                x = self.values_array(path, samples, size) if size else q.value
                p[..., index[a], index[b]] += w * x
                p[..., index[b], index[a]] += w * x
        return p

    def signed_matrix(self, ids: Sequence[str] | None = None, neutral: float = 0.0) -> np.ndarray:
        """Signs of the propensities: +1, -1, or 0 within ``neutral`` of zero or with no relation."""
        p = self.propensity_matrix(ids)
        s = np.where(p > neutral, 1, np.where(p < -neutral, -1, 0))
        np.fill_diagonal(s, 0)
        return s.astype(int)

    def bloc_field(self, ids: Sequence[str] | None = None) -> np.ndarray:
        """Field strengths b_i ε_i per actor from the blocs (first bloc +1, second -1, ...).

        Actors in the first bloc get +strength, in the second -strength; members of more blocs add.
        """
        ids = self.actor_ids if ids is None else tuple(ids)
        h = np.zeros(len(ids))
        for k, bloc in enumerate(self.spec.blocs[:2]):
            sign = 1.0 if k == 0 else -1.0
            for m in bloc.members:
                if m in ids:
                    h[ids.index(m)] += sign * bloc.strength.value
        return h
