"""The mapping-file language as pydantic models: the single source of truth.

Validation here covers one file; checks that need every loaded file (unique ids,
``aligns_to`` targets, connector instances) live in ``okrsync.mapping.crossfile``.
The JSON Schema printed by ``okrsync schema`` is generated from these models.
"""

from __future__ import annotations

import builtins
from collections.abc import Collection
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

from okrsync.mapping.cycle import (
    CYCLE_TEXT_PATTERN,
    Cycle,
    explicit_cycle,
    parse_named_cycle,
    plan_of,
)
from okrsync.mapping.quantities import Days, Quantity

ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
Id = Annotated[
    str,
    Field(pattern=ID_PATTERN, description="lower-case letters, digits and dashes"),
]


class Strict(BaseModel):
    # ``.nan`` and ``.inf`` are YAML floats: as a target or a weight they would make
    # every score NaN, so numbers must be finite.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


# --- selections -------------------------------------------------------------------------

StatusCategoryName = Literal["todo", "in_progress", "done"]


def _listify(value: Any) -> Any:
    """``type: story`` and ``type: [story]`` mean the same."""
    return [value] if isinstance(value, str | int | float) else value


class Where(Strict):
    """Normalized filters, applied after the native query and evaluated at T."""

    type: list[str] | None = Field(
        None, description="epic, story, task, bug, subtask, or the tool's own type name"
    )
    status_category: list[StatusCategoryName] | None = None
    labels: list[str] | None = Field(None, description="any of these labels")
    project: list[str] | None = None
    parent: list[str] | None = None
    sprint: list[str] | None = Field(None, description="sprint ids or names")

    @field_validator("*", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return _listify(value)


class Selection(Strict):
    """Items from one source: a native query (JQL for Jira) plus optional filters."""

    source: str | None = Field(None, description="connector instance; default: defaults.source")
    query: str = Field(min_length=1, description="native query, passed through to the tool")
    where: Where | None = None


Selections = Selection | list[Selection]


# --- measures ---------------------------------------------------------------------------

SIMPLE_MEASURES = ("count", "done", "completion")
FIELD_MEASURES = ("sum", "average", "min", "max")
SPEC_MEASURES = (
    "throughput",
    "cycle_time",
    "lead_time",
    "velocity",
    "scope_added",
    "metric",
    "formula",
)
MEASURE_NAMES = SIMPLE_MEASURES + FIELD_MEASURES + SPEC_MEASURES


class SumMeasure(Strict):
    sum: str = Field(description="a numeric field, by name or id")


class AverageMeasure(Strict):
    average: str


class MinMeasure(Strict):
    min: str


class MaxMeasure(Strict):
    max: str


class ThroughputSpec(Strict):
    per: Literal["day", "week", "sprint"] = "week"
    window: Days = 28.0


class ThroughputMeasure(Strict):
    throughput: ThroughputSpec = ThroughputSpec()


class PercentileSpec(Strict):
    percentile: float = Field(50.0, ge=0, le=100)
    window: Days = 28.0


class CycleTimeMeasure(Strict):
    cycle_time: PercentileSpec = PercentileSpec()


class LeadTimeMeasure(Strict):
    lead_time: PercentileSpec = PercentileSpec()


class VelocitySpec(Strict):
    last: int = Field(3, ge=1)


class VelocityMeasure(Strict):
    velocity: VelocitySpec = VelocitySpec()


class ScopeAddedSpec(Strict):
    since: Literal["cycle_start"] | date = "cycle_start"


class ScopeAddedMeasure(Strict):
    scope_added: ScopeAddedSpec = ScopeAddedSpec()


class MetricSpec(Strict):
    source: str
    name: str


class MetricMeasure(Strict):
    metric: MetricSpec


class FormulaInput(Strict):
    """A named sub-measure of a formula: a measure over its own selection."""

    measure: Measure
    select: Selections | None = None
    where: Where | None = None
    weight_by: str | None = None
    unestimated: Literal["exclude", "average"] = "exclude"
    scope: Literal["all", "committed"] = "all"


class FormulaMeasure(Strict):
    formula: str = Field(
        min_length=1, description="numbers, input names, + - * / ( ), min max abs round"
    )
    inputs: dict[str, FormulaInput] | None = None


def _measure_tag(value: Any) -> str | None:
    if isinstance(value, str):
        return value if value in SIMPLE_MEASURES else None
    if isinstance(value, dict):
        keys = [k for k in value if k in MEASURE_NAMES]
        return keys[0] if len(keys) == 1 else None
    if isinstance(value, BaseModel):
        fields = [k for k in type(value).model_fields if k in MEASURE_NAMES]
        return fields[0] if fields else None
    return None


Measure = Annotated[
    Annotated[Literal["count"], Tag("count")]
    | Annotated[Literal["done"], Tag("done")]
    | Annotated[Literal["completion"], Tag("completion")]
    | Annotated[SumMeasure, Tag("sum")]
    | Annotated[AverageMeasure, Tag("average")]
    | Annotated[MinMeasure, Tag("min")]
    | Annotated[MaxMeasure, Tag("max")]
    | Annotated[ThroughputMeasure, Tag("throughput")]
    | Annotated[CycleTimeMeasure, Tag("cycle_time")]
    | Annotated[LeadTimeMeasure, Tag("lead_time")]
    | Annotated[VelocityMeasure, Tag("velocity")]
    | Annotated[ScopeAddedMeasure, Tag("scope_added")]
    | Annotated[MetricMeasure, Tag("metric")]
    | Annotated[FormulaMeasure, Tag("formula")],
    Discriminator(
        _measure_tag,
        custom_error_type="unknown_measure",
        custom_error_message="unknown measure; valid measures: " + ", ".join(MEASURE_NAMES),
    ),
]


def measure_name(measure: Measure) -> str:
    """The measure's name (``count``, ``sum``, ``cycle_time``...)."""
    tag = _measure_tag(measure)
    assert tag is not None  # validated models always have one
    return tag


# --- push -------------------------------------------------------------------------------


class CreateSpec(Strict):
    """Where the KR's issue is created: Jira ``{project, type}``, Redmine
    ``{project, tracker}``, GitHub ``{repo, labels}``."""

    project: str | None = None
    # Redmine calls the issue type a tracker: ``create: {project: okr, tracker: Key Result}``.
    type: str = Field("Key Result", validation_alias=AliasChoices("type", "tracker"))
    repo: str | None = Field(None, description="GitHub: the repository, OWNER/REPO")
    labels: list[str] = Field(default_factory=list, description="GitHub: the issue's labels")

    @model_validator(mode="after")
    def _one_place(self) -> CreateSpec:
        if (self.project is None) == (self.repo is None):
            raise ValueError("give 'project' (Jira, Redmine) or 'repo' (GitHub), one of them")
        return self

    def as_target(self) -> dict[str, str]:
        """The spec as a push target carries it (labels joined by commas)."""
        if self.repo is not None:
            return {"repo": self.repo, "labels": ",".join(self.labels)}
        return {"project": str(self.project), "type": self.type}


class FieldSpec(Strict):
    name: str = Field(description="a number field, by name or id (customfield_10100)")
    value: Literal["progress", "current"] = Field(
        "progress", description="progress: percent with one decimal; current: the raw value"
    )


class Push(Strict):
    """Where a KR's result is written."""

    to: str = Field(description="connector instance")
    issue: str | None = Field(
        None, description="the issue that represents this KR", coerce_numbers_to_str=True
    )
    create: CreateSpec | None = None
    field: str | FieldSpec | None = None
    comment: bool = False
    property: bool = False

    @model_validator(mode="after")
    def _one_issue(self) -> Push:
        if (self.issue is None) == (self.create is None):
            raise ValueError("give exactly one of 'issue' (an existing issue) or 'create'")
        if self.field is None and not self.comment and not self.property and self.create is None:
            raise ValueError("nothing to write: add 'field', 'comment: true' or 'property: true'")
        return self

    # ``property`` is a field name here, so the decorator is spelled out.
    @builtins.property
    def field_spec(self) -> FieldSpec | None:
        if isinstance(self.field, str):
            return FieldSpec(name=self.field)
        return self.field


# --- key results and objectives ---------------------------------------------------------


class Override(Strict):
    value: float = Field(ge=0, description="progress to report, 0.0-1.0 (above 1 with stretch)")
    reason: str = Field(min_length=1)
    until: date


class KeyResult(Strict):
    id: Id
    title: str
    kind: Literal["output", "outcome"] = "output"
    owner: str | None = None
    description: str | None = None
    select: Selections | None = None
    where: Where | None = Field(None, description="filters applied to every selection")
    measure: Measure
    inputs: dict[str, FormulaInput] | None = Field(None, description="for formula measures")
    weight_by: str | None = Field(None, description="story_points or any numeric field")
    unestimated: Literal["exclude", "average"] = "exclude"
    scope: Literal["all", "committed"] = "all"
    baseline: Quantity | None = None
    target: Quantity | None = None
    targets: dict[str, Quantity] | None = Field(
        None,
        description="in a plan of several cycles: the target for each cycle, by cycle "
        "(2027-Q1: 40); cycles not named are prorated from 'target'",
    )
    stretch: bool = False
    weight: float = Field(1.0, gt=0)
    override: Override | None = None
    push: list[Push] = Field(default_factory=list)

    @model_validator(mode="after")
    def _coherent(self) -> KeyResult:
        name = measure_name(self.measure)
        problems: list[str] = []
        if self.select is None and name not in ("metric", "formula"):
            problems.append(f"measure '{name}' needs 'select' (which items to measure)")
        if self.weight_by is not None and name not in ("completion", "scope_added"):
            problems.append("'weight_by' only applies to completion and scope_added")
        if self.inputs is not None and name != "formula":
            problems.append("'inputs' only applies to a formula measure")
        if name == "formula" and self.formula_inputs() == {}:
            problems.append("a formula needs 'inputs': {name: {measure: ..., select: ...}}")
        elif isinstance(self.measure, FormulaMeasure):
            problems.extend(formula_problems(self.measure.formula, self.formula_inputs()))
        if self.target is None and name != "completion":
            problems.append("'target' is required (what value means done)")
        if self.effective_target == self.effective_baseline:
            problems.append("'target' equals 'baseline': progress cannot be measured")
        for cycle, value in (self.targets or {}).items():
            if value == self.effective_baseline:
                problems.append(
                    f"the target of {cycle} equals 'baseline': progress cannot be measured"
                )
        if self.baseline is None and (
            name in ("cycle_time", "lead_time") or (self.target is not None and self.target < 0)
        ):
            problems.append("a KR that goes down needs a 'baseline' (the starting value)")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def measure_name(self) -> str:
        return measure_name(self.measure)

    @property
    def effective_target(self) -> float | None:
        if self.target is None and self.measure_name == "completion":
            return 100.0
        return self.target

    @property
    def effective_baseline(self) -> float:
        return 0.0 if self.baseline is None else self.baseline

    def selections(self) -> list[Selection]:
        if self.select is None:
            return []
        return self.select if isinstance(self.select, list) else [self.select]

    def formula_inputs(self) -> dict[str, FormulaInput]:
        if isinstance(self.measure, FormulaMeasure) and self.measure.inputs:
            return {**self.measure.inputs, **(self.inputs or {})}
        return dict(self.inputs or {})


def formula_problems(text: str, inputs: Collection[str]) -> list[str]:
    """What is wrong with a formula over these input names (its syntax, names that are
    not inputs), as messages; empty when it is sound."""
    # Imported here: the evaluator imports these models, and validation only needs the
    # parser once models are being validated.
    from okrsync.evaluate.formula import FormulaError, check_names, parse_formula

    try:
        check_names(parse_formula(text), set(inputs))
    except FormulaError as error:
        return [f"formula {text!r}: {error}"]
    return []


class Objective(Strict):
    id: Id
    title: str
    owner: str | None = None
    description: str | None = None
    aligns_to: str | None = Field(None, description="parent objective id, in any loaded file")
    weight: float = Field(1.0, gt=0, description="weight within the parent objective")
    key_results: list[KeyResult] = Field(default_factory=list)


class Defaults(Strict):
    source: str | None = Field(None, description="default connector instance for selections")


class CycleDates(Strict):
    start: date
    end: date

    @model_validator(mode="after")
    def _ordered(self) -> CycleDates:
        # Here rather than only on MappingFile, so the problem points at the cycle.
        explicit_cycle(self.start, self.end)
        return self


class MappingFile(Strict):
    """One mapping file: usually one team and one cycle."""

    version: Literal[1]
    cycle: (
        Annotated[str, Field(pattern=CYCLE_TEXT_PATTERN)]
        | CycleDates
        | list[Annotated[str, Field(pattern=CYCLE_TEXT_PATTERN)]]
    ) = Field(
        description="2027-Q1, 2027-H1 (a plan of its two quarters), this-quarter, "
        "this-half, {start, end}, or a list of contiguous cycles (a plan of them)"
    )
    team: str | None = None
    schedule: str | None = Field(
        None,
        description="okrsync serve: a cron expression (config time zone) for when this file "
        "is synced, instead of serve.schedule",
    )
    defaults: Defaults = Defaults()
    objectives: list[Objective] = Field(default_factory=list)

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, value: str | None) -> str | None:
        from okrsync.serve.cron import check_cron

        return None if value is None else check_cron(value)

    @field_validator("cycle", mode="before")
    @classmethod
    def _cycle_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            parse_named_cycle(value)
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            plan_of(value)
        return value

    @model_validator(mode="after")
    def _cycle_order(self) -> MappingFile:
        if isinstance(self.cycle, CycleDates):
            explicit_cycle(self.cycle.start, self.cycle.end)
        return self

    @property
    def cycle_span(self) -> Cycle:
        if isinstance(self.cycle, CycleDates):
            return explicit_cycle(self.cycle.start, self.cycle.end)
        if isinstance(self.cycle, list):
            return plan_of(self.cycle)
        return parse_named_cycle(self.cycle)


FormulaInput.model_rebuild()
