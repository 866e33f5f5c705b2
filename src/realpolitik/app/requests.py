"""What a browser may ask for, checked before any work is done.

Every body is a JSON object with exactly the keys below; numbers must be numbers, the number of
draws is capped (:class:`Limits`), and edits are then checked by the scenario layer with the same
rules as a scenario file (:func:`realpolitik.scenario.edit.apply_edits`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationError,
)

from realpolitik.errors import Problem, ScenarioError

#: Largest request body accepted, in bytes (an edit of every number of a scenario fits easily).
MAX_BODY_BYTES = 64 * 1024
#: Most edits in one request.
MAX_EDITS = 500

Key = Annotated[StrictStr, Field(min_length=1, max_length=200)]
EditValue = StrictFloat | StrictInt | Annotated[StrictStr, Field(max_length=64)]


@dataclass(frozen=True)
class Limits:
    """The work one request may ask for.

    Attributes
    ----------
    draws : int
        The dashboard's draws per recomputation (the default when a request names none).
    max_draws : int
        The most draws one recomputation may ask for.
    discovery_draws : int
        Draws for scenario discovery (PRIM) when a request names none.
    max_discovery_draws : int
        The most draws one discovery request may ask for.
    """

    draws: int = 200
    max_draws: int = 2_000
    discovery_draws: int = 2_000
    max_discovery_draws: int = 10_000


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    scenario: Key
    edits: dict[Key, EditValue] = Field(default_factory=dict, max_length=MAX_EDITS)
    seed: StrictInt = Field(default=0, ge=0, le=2**32 - 1)


class RecomputeRequest(_Body):
    """Recompute the answer of an edited scenario with ``draws`` draws (0: the default)."""

    draws: StrictInt = Field(default=0, ge=0)


class DiscoverRequest(_Body):
    """Scenario discovery (PRIM) on a yes/no outcome of an edited scenario."""

    draws: StrictInt = Field(default=0, ge=0)
    outcome: Key = "hedges"


class ExportRequest(_Body):
    """The edited scenario as YAML."""


BODIES: dict[str, type[BaseModel]] = {
    "recompute": RecomputeRequest,
    "discover": DiscoverRequest,
    "export": ExportRequest,
}


def parse_body(raw: bytes, kind: Literal["recompute", "discover", "export"]) -> Any:
    """Parse and check a request body.

    Raises
    ------
    ScenarioError
        For a body that is too large, not JSON, or not of the expected shape; each problem names
        the key at fault.
    """
    if len(raw) > MAX_BODY_BYTES:
        raise ScenarioError.single(
            "request body too large", expected=f"at most {MAX_BODY_BYTES} bytes", got=str(len(raw))
        )
    try:
        data = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError):
        raise ScenarioError.single("request body is not JSON", expected="a JSON object") from None
    try:
        return BODIES[kind].model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(
            [
                Problem(
                    err["msg"],
                    file="<request>",
                    path=".".join(str(p) for p in err["loc"]) or None,
                    got=repr(err.get("input"))[:80],
                )
                for err in exc.errors()
            ]
        ) from None


def draws_for(request: RecomputeRequest | DiscoverRequest, limits: Limits) -> int:
    """The draws a request gets: its own number, or the default, never above the cap.

    Raises
    ------
    ScenarioError
        For more draws than the cap.
    """
    discover = isinstance(request, DiscoverRequest)
    default = limits.discovery_draws if discover else limits.draws
    cap = limits.max_discovery_draws if discover else limits.max_draws
    draws = request.draws or default
    if draws > cap:
        raise ScenarioError.single(
            "too many draws for one request",
            file="<request>",
            path="draws",
            expected=f"at most {cap}",
            got=str(draws),
        )
    return draws
