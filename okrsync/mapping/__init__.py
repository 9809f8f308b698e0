"""The mapping language: models, line-aware loading and validation, the JSON Schema.

The loaded whole (config plus every mapping file, checked across files) is
``okrsync.project.load_project``.
"""

from okrsync.mapping.cycle import Cycle
from okrsync.mapping.loader import MappingDoc, load_mapping_file, load_mapping_text
from okrsync.mapping.models import (
    MEASURE_NAMES,
    KeyResult,
    MappingFile,
    Objective,
    Push,
    Selection,
    Where,
    measure_name,
)
from okrsync.mapping.schema import mapping_json_schema
from okrsync.mapping.yamlpos import Pos, YamlDoc, load_yaml

__all__ = [
    "MEASURE_NAMES",
    "Cycle",
    "KeyResult",
    "MappingDoc",
    "MappingFile",
    "Objective",
    "Pos",
    "Push",
    "Selection",
    "Where",
    "YamlDoc",
    "load_mapping_file",
    "load_mapping_text",
    "load_yaml",
    "mapping_json_schema",
    "measure_name",
]
