"""The loaded whole: the config, every mapping file, and where each thing was written.

``load_project`` validates everything in two phases (each file on its own, then the
checks across files) and raises ``ValidationFailed`` with every problem found, so a
champion sees all of them in one run. A ``Project`` is only ever built from files
that are completely valid.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from okrsync.config import Config, ConnectorInstance, LoadedConfig, display_path, load_config
from okrsync.connector import Capabilities, capabilities_of
from okrsync.errors import ConfigError, Problem, ValidationFailed
from okrsync.mapping import crossfile
from okrsync.mapping.cycle import Cycle
from okrsync.mapping.loader import DataPath, MappingDoc, did_you_mean, load_mapping_file
from okrsync.mapping.models import KeyResult, MappingFile, Objective, Selection

if TYPE_CHECKING:
    from okrsync.evaluate import Evaluation
    from okrsync.evaluate.scoring import Margins
    from okrsync.forecast import ForecastSettings


@dataclass(frozen=True, eq=False)
class _Placed:
    """Where something was written: its mapping file and its path inside it."""

    mapping: MappingFile
    file: str
    doc: MappingDoc
    path: DataPath

    @property
    def location(self) -> str:
        """``FILE:LINE:COL`` of the thing itself."""
        return self.doc.where(self.path)

    def location_of(self, *path: Any) -> str:
        """``FILE:LINE:COL`` of something inside it, e.g. ``("push", 0)``."""
        return self.doc.where((*self.path, *path))

    @property
    def cycle(self) -> Cycle:
        return self.mapping.cycle_span


@dataclass(frozen=True, eq=False)
class ObjectiveRef(_Placed):
    """An objective with the file it was written in."""

    objective: Objective

    @property
    def id(self) -> str:
        return self.objective.id


@dataclass(frozen=True, eq=False)
class KeyResultRef(_Placed):
    """A key result with its objective and the file it was written in."""

    kr: KeyResult
    objective: Objective

    @property
    def id(self) -> str:
        return self.kr.id

    @property
    def default_source(self) -> str | None:
        """The file's ``defaults.source``."""
        return self.mapping.defaults.source

    def source_of(self, selection: Selection) -> str:
        """The connector instance a selection reads from (validation ensured there is one)."""
        source = selection.source or self.default_source
        assert source is not None
        return source

    def resolved_selections(self) -> list[tuple[str, Selection]]:
        """The KR's own selections, each with the connector instance it reads from."""
        return [(self.source_of(s), s) for s in self.kr.selections()]


class Project:
    """Everything okrsync was configured with. Objectives and KRs keep file order."""

    def __init__(self, config: LoadedConfig, docs: list[MappingDoc]) -> None:
        assert config.settings is not None
        self.config: Config = config.settings
        self.config_path: Path = config.path
        self.config_file: str = config.file
        self.connectors: dict[str, ConnectorInstance] = dict(config.connectors)
        # The variables of ``serve:`` that are unset (okrsync serve names the first).
        self.serve_unset: tuple[Problem, ...] = config.serve_unset
        # The mapping files in load order, and the names they are shown by.
        self.files: list[MappingFile] = [doc.model for doc in docs if doc.model is not None]
        self.file_names: list[str] = [doc.file for doc in docs]
        self._objectives: dict[str, ObjectiveRef] = {}
        self._krs: dict[str, KeyResultRef] = {}
        for doc in docs:
            assert doc.model is not None
            for index, objective in enumerate(doc.model.objectives):
                path: DataPath = ("objectives", index)
                self._objectives[objective.id] = ObjectiveRef(
                    doc.model, doc.file, doc, path, objective=objective
                )
                for kr_index, kr in enumerate(objective.key_results):
                    kr_path = (*path, "key_results", kr_index)
                    self._krs[kr.id] = KeyResultRef(
                        doc.model, doc.file, doc, kr_path, kr=kr, objective=objective
                    )

    # --- objectives and key results -----------------------------------------------------

    def objectives(self) -> list[ObjectiveRef]:
        return list(self._objectives.values())

    def objective(self, objective_id: str) -> ObjectiveRef:
        if objective_id not in self._objectives:
            hint = did_you_mean(objective_id, list(self._objectives))
            raise ConfigError(f"no objective has the id '{objective_id}'{hint}")
        return self._objectives[objective_id]

    def aligned_to(self, objective_id: str) -> list[ObjectiveRef]:
        """The objectives whose ``aligns_to`` names ``objective_id``."""
        return [o for o in self._objectives.values() if o.objective.aligns_to == objective_id]

    def key_results(self) -> list[KeyResultRef]:
        return list(self._krs.values())

    def key_results_of(self, objective_id: str) -> list[KeyResultRef]:
        return [k for k in self._krs.values() if k.objective.id == objective_id]

    def kr(self, kr_id: str) -> KeyResultRef:
        """The key result with this id; ``ConfigError`` (with close matches) if none."""
        found = self._krs.get(kr_id)
        if found is None:
            hint = did_you_mean(kr_id, list(self._krs))
            raise ConfigError(f"no key result has the id '{kr_id}'{hint}")
        return found

    def has_kr(self, kr_id: str) -> bool:
        return kr_id in self._krs

    def location_of_kr(self, kr_id: str) -> str:
        """``FILE:LINE:COL`` where the key result is written, e.g. ``mappings/a.yaml:14:9``."""
        return self.kr(kr_id).location

    def location_of_objective(self, objective_id: str) -> str:
        return self.objective(objective_id).location

    def cycle_of(self, kr_id: str) -> Cycle:
        return self.kr(kr_id).cycle

    # --- what a run covers (a sync unit's run covers less: okrsync.units) -------------

    def pulled_files(self) -> list[MappingFile]:
        """The mapping files whose selections a run pulls."""
        return self.files

    def own_results(self, evaluation: Evaluation) -> Evaluation:
        """The part of an evaluation of every file that a run records."""
        return evaluation

    def evaluated_files(self) -> list[MappingFile]:
        """The mapping files a run evaluates to score what it records."""
        return self.files

    # --- settings -----------------------------------------------------------------------

    def connector(self, name: str) -> ConnectorInstance:
        if name not in self.connectors:
            hint = did_you_mean(name, list(self.connectors))
            raise ConfigError(f"no connector instance is named '{name}'{hint}")
        return self.connectors[name]

    def connector_settings(self, name: str) -> dict[str, Any]:
        """The instance's settings as ``build_connector`` takes them (secrets resolved);
        ``ConfigError`` naming the variable when a secret it uses is not set."""
        return dict(self.connector(name).opening_settings())

    @property
    def notes(self) -> list[Problem]:
        """What does not make the files invalid but a champion should know: the
        connectors' variables that are not set (needed only to open them)."""
        return [note for instance in self.connectors.values() for note in instance.unset]

    @property
    def timezone(self) -> ZoneInfo:
        return self.config.tz

    @property
    def database_url(self) -> str:
        return self.config.database_url

    @property
    def status_margins(self) -> tuple[float, float]:
        """(on_track, at_risk) margins below the expected progress."""
        margins = self.config.status_margins
        return margins.on_track, margins.at_risk

    @property
    def margins(self) -> Margins:
        """The status margins in the form the evaluator takes."""
        from okrsync.evaluate.scoring import Margins

        on_track, at_risk = self.status_margins
        return Margins(on_track=on_track, at_risk=at_risk)

    def capabilities(self, name: str) -> Capabilities:
        """What the instance's type declares it can do."""
        return capabilities_of(self.connector(name).connector_type)

    def is_item_source(self, name: str) -> bool:
        """Whether the instance pulls work items, rather than only serving metrics."""
        return name in self.connectors and self.capabilities(name).items

    @property
    def forecast_settings(self) -> ForecastSettings:
        """How forecasts are made (the config's ``forecast_seed`` and ``forecast``)."""
        from okrsync.forecast import ForecastSettings

        options = self.config.forecast
        return ForecastSettings(
            seed=self.config.forecast_seed,
            trials=options.trials,
            min_history_days=options.min_history_days,
            likely=options.likely,
            at_risk=options.at_risk,
        )

    @property
    def in_progress_age(self) -> timedelta:
        return timedelta(days=self.config.in_progress_age)


def _load(config_path: str | None) -> tuple[Project | None, list[Problem]]:
    config, problems = load_config(config_path)
    docs: list[MappingDoc] = []
    for path in config.mapping_files:
        doc, found = load_mapping_file(path, display_path(path))
        docs.append(doc)
        problems.extend(found)
    if config.settings is not None:
        # Every defined instance counts, even an invalid one (its problem is reported).
        capabilities = {
            name: capabilities_of(config.connectors[name].connector_type)
            if name in config.connectors
            else None
            for name in config.settings.connectors
        }
        problems.extend(crossfile.check(docs, capabilities))
    if problems or config.settings is None:
        return None, problems
    return Project(config, docs), []


def load_project(config_path: str | None = None) -> Project:
    """Load and validate the config and every mapping file it names.

    Raises ``ConfigError`` when no config file is found and ``ValidationFailed`` with
    every problem when anything is invalid."""
    project, problems = _load(config_path)
    if project is None:
        raise ValidationFailed(problems)
    return project


def validate(config_path: str | None = None) -> list[Problem]:
    """Every problem in the config and the mapping files, sorted; empty when all is valid.
    Raises ``ConfigError`` when no config file is found."""
    _project, problems = _load(config_path)
    return ValidationFailed(problems).problems
