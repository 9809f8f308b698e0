"""The config file (``okrsync.yaml``): state, mapping files, time zone, connector instances.

Loading order for every top-level setting: the environment (``OKRSYNC_DATABASE_URL``,
``OKRSYNC_MAPPINGS``, ``OKRSYNC_TIMEZONE``, ``OKRSYNC_STATUS_MARGINS``,
``OKRSYNC_IN_PROGRESS_AGE``, ``OKRSYNC_CONNECTORS``) wins over the file, which wins over
the defaults. Relative paths written in the file are relative to the file's folder;
relative paths given in the environment are relative to the current directory.

``${NAME}`` in any string value of the file is replaced from the environment. Every
value that came from a variable, and every value of a key that names a secret (token,
password, secret, api_key), is registered with ``okrsync.secrets`` so that it is masked
everywhere, and is never shown in a problem.

A variable that a connector instance uses is needed only by the commands that open
that connector (pull, plan, apply, sync, validate --online), one that ``serve:`` uses
only by ``okrsync serve``: when it is unset or empty,
the instance is still loaded, with the variable recorded in ``ConnectorInstance.unset``,
and opening it is the error that names the variable. Everything else (database,
status, explain, history, runs, report, schema, validate) works without it.
"""

from __future__ import annotations

import builtins
import glob
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, NoDecode, PydanticBaseSettingsSource, SettingsConfigDict

from okrsync import connector as connector_registry
from okrsync import secrets
from okrsync.errors import ConfigError, Problem
from okrsync.mapping.folders import outside_folder, outside_message
from okrsync.mapping.loader import ErrorContext, describe, did_you_mean, translate
from okrsync.mapping.quantities import Days
from okrsync.mapping.yamlpos import YamlDoc, load_yaml
from okrsync.serve.settings import ServeSettings

DEFAULT_DATABASE = "sqlite:///okrsync.db"
CONFIG_ENV = "OKRSYNC_CONFIG"
CONFIG_CANDIDATES = ("okrsync.yaml", "config/okrsync.yaml")
# The environment variable for each top-level setting.
ENV_NAMES = {
    "database": "OKRSYNC_DATABASE_URL",
    "mappings": "OKRSYNC_MAPPINGS",
    "timezone": "OKRSYNC_TIMEZONE",
    "status_margins": "OKRSYNC_STATUS_MARGINS",
    "in_progress_age": "OKRSYNC_IN_PROGRESS_AGE",
    "connectors": "OKRSYNC_CONNECTORS",
    "run_timeout": "OKRSYNC_RUN_TIMEOUT",
    "forecast_seed": "OKRSYNC_FORECAST_SEED",
    "forecast": "OKRSYNC_FORECAST",
    "serve": "OKRSYNC_SERVE",
    "broker": "OKRSYNC_BROKER_URL",
}
_JSON_SETTINGS = ("status_margins", "connectors", "forecast", "serve")
_SECRET_KEY = re.compile(r"token|password|passwd|secret|api_?key", re.IGNORECASE)
_VARIABLE = re.compile(r"\$(\$?)\{([^}]*)\}")
_VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_INSTANCE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_SQLITE = re.compile(r"^(sqlite(?:\+\w+)?:///)(.*)$")
MAPPING_SUFFIXES = (".yaml", ".yml")


# --- the model --------------------------------------------------------------------------


class StatusMargins(BaseModel):
    """How far progress may trail the elapsed time before a KR is at risk / off track."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    on_track: float = Field(
        0.10, ge=0, le=1, description="on_track when progress >= expected - this"
    )
    at_risk: float = Field(0.25, ge=0, le=1, description="at_risk when progress >= expected - this")

    @model_validator(mode="after")
    def _ordered(self) -> StatusMargins:
        if self.at_risk < self.on_track:
            raise ValueError("'at_risk' must be at least 'on_track' (it is the wider margin)")
        return self


class ForecastOptions(BaseModel):
    """How forecasts are made and when a KR is likely to reach its target."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    trials: int = Field(10_000, ge=100, le=1_000_000, description="Monte-Carlo trials per KR")
    min_history_days: int = Field(
        5, ge=3, description="whole days of history a KR needs before it is forecast"
    )
    likely: float = Field(
        0.7, gt=0, le=1, description="likely when the probability of the target is at least this"
    )
    at_risk: float = Field(
        0.3, ge=0, le=1, description="at_risk when the probability is at least this, else unlikely"
    )

    @model_validator(mode="after")
    def _ordered(self) -> ForecastOptions:
        if self.at_risk > self.likely:
            raise ValueError("'at_risk' must be at most 'likely' (it is the lower probability)")
        return self


def _resolve_sqlite(url: str, base: Path) -> str:
    """``sqlite:///okrsync.db`` is relative; make it absolute against ``base``."""
    match = _SQLITE.match(url)
    if not match:
        return url
    prefix, rest = match.groups()
    target, sep, query = rest.partition("?")
    if not target or target.startswith(":memory:") or Path(target).is_absolute():
        return url
    return f"{prefix}{(base / target).resolve()}{sep}{query}"


def _split_paths(value: Any) -> Any:
    """``OKRSYNC_MAPPINGS`` is a JSON list, or paths separated by commas or ``os.pathsep``."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                return json.loads(text)
            except (json.JSONDecodeError, RecursionError):
                return value
        return [
            part.strip() for part in re.split(rf"[,{re.escape(os.pathsep)}]", text) if part.strip()
        ]
    return value


class Config(BaseSettings):
    """The validated config file, environment applied. Paths are absolute."""

    model_config = SettingsConfigDict(
        extra="forbid", frozen=True, case_sensitive=True, allow_inf_nan=False
    )

    database: SecretStr = Field(
        SecretStr(DEFAULT_DATABASE),
        description="SQLAlchemy URL of the store; sqlite paths are relative to the config file",
    )
    mappings: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["mappings/"],
        description="mapping files or folders (every *.yaml / *.yml inside, recursively)",
    )
    timezone: str = Field("UTC", description="IANA time zone for cycle boundaries and display")
    status_margins: StatusMargins = Field(default_factory=StatusMargins)
    in_progress_age: Days = Field(
        14.0, description="items in progress longer than this are flagged"
    )
    connectors: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="connector instances by name; each has a 'type'"
    )
    run_timeout: Days | None = Field(
        1 / 48,
        gt=0,
        description="a run still talking to the tools after this long (default 30m) is "
        "stopped and recorded failed, saying what it did and did not do",
    )
    forecast_seed: int = Field(
        0,
        description="seed of the forecasts' simulation: same store, instant and seed, "
        "same forecast",
    )
    forecast: ForecastOptions = Field(default_factory=ForecastOptions)
    serve: ServeSettings = Field(
        default_factory=ServeSettings, description="okrsync serve: listen, token, schedule..."
    )
    broker: SecretStr | None = Field(
        None, description="redis:// or amqp:// URL: serve hands runs to okrsync worker processes"
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The environment wins over the file; no .env files or secret folders are read.
        return (_Environment(settings_cls), init_settings)

    @field_validator("database", mode="before")
    @classmethod
    def _database(cls, value: Any) -> Any:
        raw = value.get_secret_value() if isinstance(value, SecretStr) else value
        if isinstance(raw, str):
            if not raw.strip():
                raise ValueError("'database' must not be empty")
            sqlite = _SQLITE.match(raw.strip())
            if sqlite and not sqlite.group(2).partition("?")[0]:
                # SQLAlchemy reads a missing path as an in-memory store: every run would
                # start from nothing, silently.
                raise ValueError(
                    "'database' names no file: write e.g. sqlite:///okrsync.db (or "
                    "sqlite:///:memory: for a store that lasts one run)"
                )
            return _resolve_sqlite(raw.strip(), Path.cwd())
        return value

    @field_validator("mappings", mode="before")
    @classmethod
    def _mappings(cls, value: Any) -> Any:
        value = _split_paths(value)
        if isinstance(value, list):
            return [str(Path.cwd() / p) if isinstance(p, str) else p for p in value]
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            hint = did_you_mean(value, sorted(available_timezones()))
            raise ValueError(
                f"unknown time zone {value!r}{hint}: use an IANA name such as Europe/Berlin or UTC"
            ) from None
        return value

    @property
    def database_url(self) -> str:
        """The store's URL, password included: never print it (``database`` masks it)."""
        return self.database.get_secret_value()

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class _Environment(PydanticBaseSettingsSource):
    """``OKRSYNC_*`` variables, by the names in ``ENV_NAMES``."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        value = os.environ.get(ENV_NAMES.get(field_name, ""))
        return value, field_name, False

    def __call__(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, variable in ENV_NAMES.items():
            if variable not in os.environ:
                continue
            raw = os.environ[variable]
            if name in _JSON_SETTINGS:
                try:
                    values[name] = json.loads(raw)
                except (json.JSONDecodeError, RecursionError):
                    values[name] = raw  # reported as "expects a mapping"
            else:
                values[name] = raw
        return values


# --- connector instances ----------------------------------------------------------------


@dataclass(frozen=True)
class ConnectorInstance:
    """One configured connector instance. ``settings`` holds the resolved values (secrets
    included, as the connector needs them) and is what ``build_connector`` takes."""

    name: str
    type: str
    settings: Mapping[str, Any] = field(repr=False)
    # The registered class of the type (what ``build_connector`` instantiates).
    connector_type: builtins.type | None = field(default=None, repr=False)
    # The type's ``settings_model`` validated, when the type declares one (None while a
    # variable it uses is unset: the model is validated again once it is set).
    model: BaseModel | None = field(default=None, repr=False)
    # The variables this instance uses that are unset or empty, as notes located where
    # they are used; opening the connector fails on the first one.
    unset: tuple[Problem, ...] = ()

    def opening_settings(self) -> Mapping[str, Any]:
        """``settings`` for opening the connector; ``ConfigError`` naming the variable
        when one it uses is not set."""
        if self.unset:
            first = self.unset[0]
            raise ConfigError(
                f"connector '{self.name}' cannot be opened: {first.message} at "
                f"{first.file}:{first.line}:{first.column}; set it and run again"
            )
        return self.settings


# --- loading ----------------------------------------------------------------------------


def display_path(path: Path) -> str:
    """How a file is named in messages: relative to the current directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _named_config(name: str, how: str) -> Path:
    path = Path(name)
    if path.is_file():
        return path
    if path.is_dir():
        raise ConfigError(f"config file {name} is a folder, not a file ({how})")
    if path.exists():
        raise ConfigError(f"config file {name} is not a regular file ({how})")
    raise ConfigError(f"config file {name} not found ({how})")


def find_config(explicit: str | None = None) -> Path:
    """``--config FILE``, else ``$OKRSYNC_CONFIG``, else ``./okrsync.yaml``, else
    ``./config/okrsync.yaml``."""
    if explicit:
        return _named_config(explicit, "given with --config")
    from_env = os.environ.get(CONFIG_ENV)
    if from_env:
        return _named_config(from_env, f"named by ${CONFIG_ENV}")
    for candidate in CONFIG_CANDIDATES:
        path = Path(candidate)
        if path.is_file():
            return path
    raise ConfigError(
        f"no config file found: looked for --config FILE, ${CONFIG_ENV}, ./okrsync.yaml and "
        f"./config/okrsync.yaml in {Path.cwd()}; create okrsync.yaml or pass --config FILE"
    )


@dataclass
class LoadedConfig:
    """The config file, loaded: the model, its connector instances and the mapping files
    it names, with positions for messages. When ``load_config`` returned problems,
    ``settings`` may hold defaults in place of the invalid settings (so the rest could
    still be checked) and must not be used to run anything."""

    path: Path
    file: str
    settings: Config | None
    yaml: YamlDoc | None
    connectors: dict[str, ConnectorInstance] = field(default_factory=dict)
    mapping_files: list[Path] = field(default_factory=list)
    # The variables ``serve:`` uses that are unset or empty (needed by okrsync serve).
    serve_unset: tuple[Problem, ...] = ()

    @property
    def base(self) -> Path:
        return self.path.resolve().parent

    def where(self, path: tuple[Any, ...], *, key: bool = False) -> str:
        if self.yaml is None:
            return f"{self.file}:1:1"
        return self.yaml.where(path, key=key)


class _Loader:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.file = display_path(path)
        self.problems: list[Problem] = []
        self.hidden: set[tuple[Any, ...]] = set()  # values that are secrets
        self.unresolved: set[tuple[Any, ...]] = set()  # values with a missing variable
        # Connector values whose variable is unset: notes, not problems (see the module).
        self.unset: dict[tuple[Any, ...], Problem] = {}
        self.doc: YamlDoc | None = None

    def problem(self, path: tuple[Any, ...], message: str, *, key: bool = False) -> None:
        setting = path[0] if path else None
        if isinstance(setting, str) and setting in ENV_NAMES and ENV_NAMES[setting] in os.environ:
            message = f"${ENV_NAMES[setting]}: {message}"
            key = True
            path = path[:1]
        if self.doc is None:
            self.problems.append(Problem(self.file, 1, 1, secrets.redact(message)))
            return
        problem = self.doc.problem(path, secrets.redact(message), key=key)
        self.problems.append(problem)

    def note_unset(self, path: tuple[Any, ...], message: str) -> None:
        if path in self.unset:
            return  # the first unset variable of a value is enough
        note = (
            self.doc.problem(path, message)
            if self.doc is not None
            else Problem(self.file, 1, 1, message)
        )
        self.unset[path] = replace(note, level="note")

    def is_hidden(self, path: tuple[Any, ...]) -> bool:
        return any(path[: len(p)] == p for p in self.hidden) or any(
            isinstance(part, str) and _SECRET_KEY.search(part) for part in path
        )

    def from_env(self, path: tuple[Any, ...]) -> bool:
        setting = path[0] if path else None
        return isinstance(setting, str) and ENV_NAMES.get(setting, "") in os.environ

    # --- ${NAME} ------------------------------------------------------------------------

    def substitute(self, value: Any, path: tuple[Any, ...]) -> Any:
        if isinstance(value, dict):
            return {k: self.substitute(v, (*path, k)) for k, v in value.items()}
        if isinstance(value, list):
            return [self.substitute(v, (*path, i)) for i, v in enumerate(value)]
        if not isinstance(value, str):
            return value
        used = False

        def one(match: re.Match[str]) -> str:
            nonlocal used
            escaped, name = match.groups()
            if escaped:  # $${NAME} is the literal text ${NAME}
                return "${" + name + "}"
            if not _VARIABLE_NAME.match(name):
                self.problem(path, f"'${{{name}}}' is not a variable reference: write ${{NAME}}")
                self.unresolved.add(path)
                return ""
            resolved = os.environ.get(name)
            if resolved is None or resolved == "":
                state = "not set" if resolved is None else "empty"
                where = ".".join(str(p) for p in path)
                message = f"environment variable {name} is {state} (used by '{where}')"
                # A connector's own settings (not its name), or anything of serve's.
                if (path[:1] == ("connectors",) and len(path) > 2) or path[:1] == ("serve",):
                    self.note_unset(path, message)
                else:
                    self.problem(path, message)
                self.unresolved.add(path)
                return ""
            used = True
            secrets.register(resolved)
            return resolved

        result = _VARIABLE.sub(one, value)
        if used:
            self.hidden.add(path)
        return result

    def register_secrets(self, value: Any, path: tuple[Any, ...]) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                self.register_secrets(v, (*path, k))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                self.register_secrets(v, (*path, i))
        elif isinstance(value, str) and any(
            isinstance(part, str) and _SECRET_KEY.search(part) for part in path
        ):
            secrets.register(value)

    # --- the whole file -----------------------------------------------------------------

    def load(self) -> LoadedConfig:
        loaded = LoadedConfig(path=self.path, file=self.file, settings=None, yaml=None)
        try:
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            reason = "not UTF-8 text" if isinstance(error, UnicodeDecodeError) else error.strerror
            self.problems.append(Problem(self.file, 1, 1, f"cannot read the config file: {reason}"))
            return loaded
        doc, problems = load_yaml(text, self.file)
        self.problems.extend(problems)
        if doc is None:
            return loaded
        self.doc = loaded.yaml = doc
        raw = doc.data if doc.data is not None else {}
        if not isinstance(raw, dict):
            self.problem((), f"the config file must be a mapping of settings, got {describe(raw)}")
            return loaded
        # A setting the environment overrides is not used, so its file value is not read.
        unused = [k for k in raw if isinstance(k, str) and self.from_env((k,))]
        data = self.substitute({k: v for k, v in raw.items() if k not in unused}, ())
        self.register_secrets(data, ())
        data = self.relative_to_file(data)
        data.setdefault("database", _resolve_sqlite(DEFAULT_DATABASE, self.path.resolve().parent))
        data.setdefault("mappings", [str(self.path.resolve().parent / "mappings")])
        for key in [k for k in data if not isinstance(k, str)]:
            self.problem((key,), f"setting names must be text, got {describe(key)}", key=True)
            del data[key]
        settings = self.validate(data)
        if settings is None:
            return loaded
        loaded.settings = settings
        self.register_database_password(settings.database_url)
        loaded.connectors = self.connectors(settings)
        loaded.serve_unset = tuple(n for p, n in self.unset.items() if p[:1] == ("serve",))
        loaded.mapping_files = self.mapping_files(settings)
        return loaded

    def relative_to_file(self, data: dict[Any, Any]) -> dict[Any, Any]:
        base = self.path.resolve().parent
        data = dict(data)
        if isinstance(data.get("database"), str):
            data["database"] = _resolve_sqlite(data["database"].strip(), base)
        entries = data.get("mappings")
        if isinstance(entries, str):
            entries = [entries]
        if isinstance(entries, list):
            data["mappings"] = [str(base / e) if isinstance(e, str) else e for e in entries]
        return data

    def validate(self, data: dict[str, Any]) -> Config | None:
        """The settings; when some are invalid (and reported), the others with defaults in
        place of the invalid ones, so that connectors and mapping files are still checked."""
        assert self.doc is not None
        context = ErrorContext(
            self.doc,
            names={
                Config: "the config file",
                StatusMargins: "status_margins",
                ForecastOptions: "forecast",
            },
        )
        context.hide = self.is_hidden
        try:
            return Config(**data)
        except ValidationError as error:
            failed: set[Any] = set()
            for details in error.errors(include_url=False):
                failed.add(details["loc"][0] if details["loc"] else None)
                if tuple(details["loc"][:1]) in self.unresolved:
                    continue  # the missing variable is reported already
                for problem in translate([details], Config, data, context):
                    self.report(tuple(details["loc"][:1]), problem)
        if None in failed:
            return None
        merged = {**data, **_Environment(Config)()}
        try:
            return Config.model_validate({k: v for k, v in merged.items() if k not in failed})
        except ValidationError:
            return None

    def report(self, setting: tuple[Any, ...], problem: Problem) -> None:
        """Keep a translated problem, moved to the setting when it came from the environment."""
        if self.from_env(setting):
            self.problem(setting, problem.message)
        else:
            self.problems.append(replace(problem, message=secrets.redact(problem.message)))

    def register_database_password(self, url: str) -> None:
        try:
            password = urlsplit(url).password
        except ValueError:
            return
        if password:
            secrets.register(password)

    def connectors(self, settings: Config) -> dict[str, ConnectorInstance]:
        installed = sorted(connector_registry.connector_types())
        known = ", ".join(installed) or "none"
        instances: dict[str, ConnectorInstance] = {}
        for name, values in settings.connectors.items():
            path = ("connectors", name)
            if not _INSTANCE_NAME.match(name):
                self.problem(
                    path,
                    f"connector name {name!r} may hold only letters, digits, '-', '_' and '.'",
                    key=True,
                )
                continue
            type_name = values.get("type")
            if type_name is None:
                self.problem(path, f"connector '{name}' needs 'type'; installed types: {known}")
                continue
            if not isinstance(type_name, str) or type_name not in installed:
                hint = did_you_mean(type_name, installed) if isinstance(type_name, str) else ""
                self.problem(
                    (*path, "type"),
                    f"unknown connector type {describe(type_name)} for connector '{name}'{hint}; "
                    f"installed types: {known}",
                )
                continue
            cls = self.connector_class(type_name, path)
            if cls is None:
                continue
            ok, model = self.connector_model(cls, name, type_name, values, path)
            if ok:
                unset = tuple(n for p, n in self.unset.items() if p[:2] == path)
                instances[name] = ConnectorInstance(
                    name, type_name, dict(values), cls, model, unset
                )
        return instances

    def connector_class(self, type_name: str, path: tuple[Any, ...]) -> type | None:
        try:
            return connector_registry.load_connector_type(type_name)
        except ConfigError as error:
            self.problem((*path, "type"), str(error))
        except Exception as error:  # a broken installation: the import itself failed
            self.problem(
                (*path, "type"),
                f"connector type '{type_name}' is installed but cannot be loaded "
                f"({type(error).__name__}: {error}); reinstall the package that provides it",
            )
        return None

    def connector_model(
        self, cls: type, name: str, type_name: str, values: dict[str, Any], path: tuple[Any, ...]
    ) -> tuple[bool, BaseModel | None]:
        """Validate an instance's settings with its type's ``settings_model``, if any:
        (whether they are valid, the validated model)."""
        model = getattr(cls, "settings_model", None)
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return True, None
        given = dict(values)
        if "type" not in model.model_fields:
            given.pop("type", None)
        assert self.doc is not None
        context = ErrorContext(
            self.doc, prefix=path, names={model: f"connector '{name}' (type {type_name})"}
        )
        context.hide = lambda p: self.is_hidden((*path, *p))
        try:
            validated = model.model_validate(given)
        except ValidationError as error:
            reported = False
            for details in error.errors(include_url=False):
                if (*path, *details["loc"][:1]) in self.unresolved:
                    continue  # the missing variable is reported (or noted) already
                for problem in translate([details], model, given, context):
                    self.report(path, problem)
                    reported = True
            return not reported and self.only_unset(path), None
        if any(p[: len(path)] == path for p in self.unresolved):
            return self.only_unset(path), None
        return True, validated

    def only_unset(self, path: tuple[Any, ...]) -> bool:
        """Whether every unresolved value of the instance is an unset variable (a note)
        rather than a problem."""
        return all(p in self.unset for p in self.unresolved if p[: len(path)] == path)

    def mapping_files(self, settings: Config) -> list[Path]:
        found: list[Path] = []
        missing = False
        for index, entry in enumerate(settings.mappings):
            path = Path(entry)
            shown = display_path(path)
            spot: tuple[Any, ...] = ("mappings", index)
            if self.doc is None or spot not in self.doc.values:
                spot = ("mappings",)
            listed: list[Path] = []
            if any(ch in entry for ch in "*?["):
                matches = [Path(p) for p in sorted(glob.glob(entry, recursive=True))]
                listed = [p for p in matches if p.is_file()]
            elif path.is_dir():
                listed = [
                    p
                    for p in sorted(path.rglob("*"))
                    if p.suffix in MAPPING_SUFFIXES
                    and p.is_file()
                    and not any(part.startswith(".") for part in p.relative_to(path).parts)
                ]
            elif path.is_file():
                listed = [path]
            else:
                missing = True
                self.problem(spot, f"mapping path '{shown}' does not exist")
            outside = outside_folder(entry, listed)
            for escaped in outside:
                self.problem(spot, outside_message(display_path(escaped), shown))
            found.extend(p for p in listed if p not in outside)
        unique: dict[Path, Path] = {}
        own = self.path.resolve()
        for path in found:
            if path.resolve() != own:
                unique.setdefault(path.resolve(), path)
        if not unique and not missing:
            shown = ", ".join(display_path(Path(e)) for e in settings.mappings) or "(none)"
            self.problem(
                ("mappings",),
                f"no mapping files found in {shown} (looked for *.yaml and *.yml files)",
                key=True,
            )
        return list(unique.values())


def load_config(path: str | Path | None = None) -> tuple[LoadedConfig, list[Problem]]:
    """Find and load the config file. Raises ``ConfigError`` when there is no config
    file; every other problem is returned, located."""
    config_path = find_config(str(path) if path is not None else None)
    loader = _Loader(config_path)
    loaded = loader.load()
    return loaded, loader.problems


__all__ = [
    "CONFIG_CANDIDATES",
    "DEFAULT_DATABASE",
    "ENV_NAMES",
    "Config",
    "ConnectorInstance",
    "LoadedConfig",
    "StatusMargins",
    "display_path",
    "find_config",
    "load_config",
]
