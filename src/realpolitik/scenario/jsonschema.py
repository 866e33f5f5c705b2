"""JSON Schema of scenario files, generated from the typed model (one source of truth)."""

from __future__ import annotations

from typing import Any


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) that scenario files follow."""
    from realpolitik.scenario.schema import ScenarioSpec
    from realpolitik.version import __version__

    schema = ScenarioSpec.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "realpolitik scenario"
    schema["description"] = (
        f"A realpolitik scenario file (package version {__version__}). "
        "See docs/reference/scenario-format.md."
    )
    return schema
