"""The JSON Schema of the config files, made from the settings' declarations (``sim.config.scenario``,
and for the study files ``sim.config.sensitivity_study``, ``sim.config.mechanism_table``,
``sim.config.calibration_study`` and ``sim.config.observed``).

Editors that read JSON Schema (VS Code's YAML extension, PyCharm, Neovim's yaml-language-server)
use it to complete keys, show each key's meaning and bounds, and flag unknown keys and values out
of range while a scenario is written (docs/schema.md). ``tariffsim-schema`` prints or writes it.

The schema checks what a single key allows; rules between keys (weights that sum to 1, dates
inside the horizon, red lines on the partner's own issues) are checked when a run loads the
config, with the same messages as any other error.
"""

from __future__ import annotations

import copy
import inspect
import typing
from typing import Any

from pydantic import TypeAdapter

from sim.config.calibration_study import CalibrationStudy
from sim.config.mechanism_table import MechanismTable
from sim.config.observed import Observed
from sim.config.scenario import ISSUE_NAME, PartnerSettings, ScenarioSettings, UnitedStates
from sim.config.sensitivity_study import SensitivitySettings
from sim.strategies import STRATEGIES, Side

DIALECT = "https://json-schema.org/draft/2020-12/schema"

PARTS = {
    "scenario": "a scenario file (sim/conf/scenario/*.yaml): a Hydra defaults list and any key of the "
                "composed scenario, none required (they may come from the defaults list)",
    "composed": "the scenario as Hydra composes it (cfg.scenario, `tariffsim --cfg job`): every key in place",
    "partner": "a partner's country file (sim/conf/country/*.yaml, all but usa.yaml)",
    "us": "the United States' file (sim/conf/country/usa.yaml)",
    "sensitivity": "a sensitivity study (sim/conf/sensitivity/*.yaml), run by tariffsim-sensitivity",
    "mechanisms": "the mechanism table (sim/conf/mechanisms.yaml), run by tariffsim-mechanisms",
    "calibration": "a calibration study (sim/conf/calibration/*.yaml), run by tariffsim-calibrate",
    "observed": "an observed-outcomes file (sim/conf/observed/*.yaml), read by tariffsim-validate and tariffsim-calibrate",
}
"""The schemas there are, and the files each describes."""
STUDY_PARTS = ("sensitivity", "mechanisms", "calibration", "observed")
"""The study files' parts: no issue names, no strategies inside."""


def json_schema(part: str = "scenario") -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one kind of config file, a key of ``PARTS``.

    Raises:
        KeyError: ``part`` is not one of ``PARTS``.
    """
    cls = {"scenario": ScenarioSettings, "composed": ScenarioSettings, "partner": PartnerSettings,
           "us": UnitedStates, "sensitivity": SensitivitySettings, "mechanisms": MechanismTable,
           "calibration": CalibrationStudy, "observed": Observed}[part]
    schema = TypeAdapter(cls).json_schema(by_alias=True)
    if part in STUDY_PARTS:
        _plain(schema)
        rest = {k: v for k, v in schema.items() if k not in ("title", "description")}
        return {"$schema": DIALECT, "title": f"tariffsim {part}", "description": PARTS[part], **rest}
    for defs in (schema, *schema.get("$defs", {}).values()):
        _name_issues(defs)
    for model, side in ((schema, part), *((schema.get("$defs", {}).get(n), n) for n in ("UnitedStates", "PartnerSettings"))):
        if model and "strategy" in model.get("properties", {}):
            _strategy_parameters(model["properties"]["strategy"], Side.US if side in ("us", "UnitedStates") else Side.PARTNER)
    if part == "scenario":
        schema = _file_of_composed(schema)
    _plain(schema)
    rest = {k: v for k, v in schema.items() if k not in ("title", "description")}
    return {"$schema": DIALECT, "title": f"tariffsim {part}", "description": PARTS[part], **rest}


def _plain(node: Any) -> None:
    """Descriptions without the double backquotes of docstrings (editors show them as written)."""
    if isinstance(node, dict):
        if isinstance(node.get("description"), str):
            node["description"] = node["description"].replace("``", "`")
        for value in node.values():
            _plain(value)
    elif isinstance(node, list):
        for value in node:
            _plain(value)


def _name_issues(model: dict[str, Any]) -> None:
    """Keys that name an issue must be issue names (pydantic writes no key names); which issues a
    scenario declares is data (scenario.issues), so the schema checks their spelling only."""
    names = {"propertyNames": {"pattern": f"^{ISSUE_NAME.pattern}$"}}
    props = model.get("properties", {})
    for key in ("issues", "floors"):
        if key in props:
            props[key] |= names
    if "curvature" in props:
        for option in props["curvature"].get("anyOf", []):
            if option.get("type") == "object":
                option |= names
    if "targets" in props:  # one code may stand alone
        items = props["targets"].pop("items")
        props["targets"]["anyOf"] = [{"type": "array", "items": items}, items]
        props["targets"].pop("type", None)


def _strategy_parameters(strategy: dict[str, Any], side: Side) -> None:
    """Each registered strategy's parameters (its constructor's), for the ``name`` that picks it."""
    rules = []
    for name, cls in sorted(STRATEGIES.items()):
        if cls.info.side not in (side, Side.BOTH):
            continue
        try:
            hints = typing.get_type_hints(cls.__init__)
        except Exception:  # noqa: BLE001 - an annotation that does not resolve: leave its values open
            hints = {}
        params = {p: TypeAdapter(hints.get(p, Any)).json_schema()
                  for p in inspect.signature(cls.__init__).parameters if p != "self"}
        rules.append({"if": {"properties": {"name": {"const": name}}, "required": ["name"]},
                      "then": {"description": f"{name}: {cls.info.summary}",
                               "properties": {"name": {"const": name}} | params, "additionalProperties": False}})
    strategy["allOf"] = rules


def _file_of_composed(schema: dict[str, Any]) -> dict[str, Any]:
    """A scenario file's schema: Hydra's ``defaults`` list allowed, and no key required, since a
    scenario may take any of them from that list (``wider_2025`` sets only its name on top of
    ``baseline_2025``); the loader checks that the composed scenario is complete."""
    schema = copy.deepcopy(schema)
    schema["properties"] = {"defaults": {
        "type": "array", "description": "Hydra's defaults list: baseline_2025, /country@partners.JPN: jpn, _self_",
        "items": {"anyOf": [{"type": "string"}, {"type": "object"}]}}} | schema["properties"]
    _optional(schema)
    return schema


def _optional(node: Any) -> None:
    """No key required anywhere in ``node`` (but the conditions that pick a strategy's parameters)."""
    if isinstance(node, dict):
        node.pop("required", None)
        for key, value in node.items():
            if key != "if":
                _optional(value)
    elif isinstance(node, list):
        for value in node:
            _optional(value)
