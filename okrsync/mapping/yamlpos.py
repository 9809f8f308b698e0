"""YAML loading that remembers where every value was written.

PyYAML's ``safe_load`` throws positions away and silently keeps the last of two equal
keys. Here the node tree is composed first (nodes carry start marks) and turned into
plain Python data by hand, so that every path gets a 1-based (line, column) and every
duplicate key becomes a problem. Scalars still go through the safe constructor, so
``until: 2027-02-20`` stays a ``date``.
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from okrsync.errors import Problem

Path = tuple[Any, ...]

_MERGE_TAG = "tag:yaml.org,2002:merge"
# Far beyond any real file, and the guards against hostile ones: aliases of aliases
# expand exponentially ("billion laughs"), and nesting exhausts the stack.
MAX_VALUES = 100_000
MAX_DEPTH = 64
# Lone UTF-16 surrogates: YAML's "\ud800" escape can write them, UTF-8 cannot.
_SURROGATE = re.compile("[\ud800-\udfff]")


class _Refused(Exception):
    """The file is too large or too deep to build; ``problem`` says so."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem


@dataclass(frozen=True)
class Pos:
    line: int
    column: int


@dataclass
class YamlDoc:
    """A loaded YAML document: plain data plus where each part of it was written."""

    file: str
    data: Any
    # Where each value starts; a mapping starts at its first key (or its ``{``).
    values: dict[Path, Pos] = field(default_factory=dict)
    # Where the key of each mapping entry is written, by the entry's path.
    keys: dict[Path, Pos] = field(default_factory=dict)

    def value_pos(self, path: Path) -> Pos:
        """Where the value at ``path`` starts, or the nearest enclosing value's start."""
        for end in range(len(path), -1, -1):
            pos = self.values.get(path[:end])
            if pos is not None:
                return pos
        return Pos(1, 1)

    def key_pos(self, path: Path) -> Pos:
        """Where the key of the entry at ``path`` is written (its value's start if none)."""
        return self.keys.get(path) or self.value_pos(path)

    def where(self, path: Path, *, key: bool = False) -> str:
        pos = self.key_pos(path) if key else self.value_pos(path)
        return f"{self.file}:{pos.line}:{pos.column}"

    def problem(self, path: Path, message: str, *, key: bool = False) -> Problem:
        pos = self.key_pos(path) if key else self.value_pos(path)
        return Problem(self.file, pos.line, pos.column, message)


def _pos(node: Node) -> Pos:
    return Pos(node.start_mark.line + 1, node.start_mark.column + 1)


def _describe_key(key: Any) -> str:
    return repr(key) if isinstance(key, str) else str(key)


class _Builder:
    """Turns a composed node tree into data, recording positions and problems."""

    def __init__(self, loader: yaml.SafeLoader, doc: YamlDoc) -> None:
        self.loader = loader
        self.doc = doc
        self.problems: list[Problem] = []
        self._active: set[int] = set()  # nodes being built: guards recursive aliases
        self._built = 0

    def problem(self, node: Node, message: str) -> None:
        pos = _pos(node)
        self.problems.append(Problem(self.doc.file, pos.line, pos.column, message))

    def _refuse(self, node: Node, message: str) -> _Refused:
        pos = _pos(node)
        return _Refused(Problem(self.doc.file, pos.line, pos.column, message))

    def build(self, node: Node, path: Path) -> Any:
        self._built += 1
        if self._built > MAX_VALUES:
            raise self._refuse(
                node,
                f"this file holds more than {MAX_VALUES:,} values once its aliases are "
                "expanded; write the values out instead of nesting aliases",
            )
        if len(path) > MAX_DEPTH:
            raise self._refuse(node, f"values are nested more than {MAX_DEPTH} levels deep here")
        self.doc.values.setdefault(path, _pos(node))
        if id(node) in self._active:
            self.problem(node, "an alias refers to the structure that contains it")
            return None
        self._active.add(id(node))
        try:
            if isinstance(node, MappingNode):
                return self._mapping(node, path)
            if isinstance(node, SequenceNode):
                return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
            return self._scalar(node)
        finally:
            self._active.discard(id(node))

    def _scalar(self, node: Node) -> Any:
        try:
            value = self.loader.construct_object(node, deep=True)
        except yaml.MarkedYAMLError as error:
            self.problem(node, _explain(error)[0])
            return None
        if isinstance(value, str) and (half := _SURROGATE.search(value)):
            # A "\ud800" escape names half of a UTF-16 pair: no file, database or tool
            # can store it, so it would fail every later step far from where it is.
            self.problem(
                node,
                f"this text holds {half.group()!r}, half of a UTF-16 surrogate pair, which "
                "cannot be stored or sent: write the character itself, or its full escape "
                "such as \\U0001F600",
            )
            return _SURROGATE.sub("\ufffd", value)  # so that nothing else trips on it
        return value

    def _key(self, node: Node) -> tuple[bool, Any]:
        if not isinstance(node, ScalarNode):
            self.problem(node, "a key must be a plain value, not a list or a mapping")
            return False, None
        key = self._scalar(node)
        if not isinstance(key, Hashable):  # pragma: no cover - scalars are hashable
            return False, None
        return True, key

    def _mapping(self, node: MappingNode, path: Path) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        first_seen: dict[Any, Node] = {}
        merges: list[Node] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                merges.append(value_node)
                continue
            ok, key = self._key(key_node)
            if not ok:
                continue
            if key in first_seen:
                first = _pos(first_seen[key])
                self.problem(
                    key_node,
                    f"duplicate key {_describe_key(key)}: already given at line {first.line} "
                    "(YAML would silently keep only the last one)",
                )
            else:
                first_seen[key] = key_node
            self.doc.keys[(*path, key)] = _pos(key_node)
            self.doc.values.pop((*path, key), None)
            result[key] = self.build(value_node, (*path, key))
        for merge in merges:
            self._merge(merge, path, result)
        return result

    def _merge(self, node: Node, path: Path, into: dict[Any, Any]) -> None:
        """``<<: *base`` adds the keys of ``base`` that the mapping does not set itself."""
        sources = node.value if isinstance(node, SequenceNode) else [node]
        for source in sources:
            if not isinstance(source, MappingNode):
                self.problem(source, "'<<' merges only mappings")
                continue
            for key_node, value_node in source.value:
                ok, key = self._key(key_node)
                if ok and key not in into:
                    self.doc.keys[(*path, key)] = _pos(key_node)
                    into[key] = self.build(value_node, (*path, key))


# PyYAML's wording, translated into what a person should do about it. The flag says the
# error is best shown where the unclosed thing began rather than where PyYAML gave up.
_HINTS: list[tuple[re.Pattern[str], str, bool]] = [
    (
        re.compile(r"found character '\\t' that cannot start any token"),
        "a tab character is used for indentation; YAML indents with spaces only",
        False,
    ),
    (
        re.compile(r"mapping values are not allowed here"),
        "unexpected ':' here: quote a value that contains ': ', or fix the indentation",
        False,
    ),
    (
        re.compile(r"could not find expected ':'"),
        "expected 'key: value' here: a ':' is missing or the line is indented wrongly",
        False,
    ),
    (
        re.compile(r"did not find expected key"),
        "expected a key here: check the indentation of this line",
        False,
    ),
    (
        re.compile(r"did not find expected '-' indicator"),
        "expected a list item ('- ...') here: check the indentation of this line",
        False,
    ),
    (
        re.compile(r"expected a single document in the stream"),
        "a file holds one YAML document: remove the '---' separator and what follows",
        False,
    ),
    (
        re.compile(r"expected <block end>, but found"),
        "this line is indented differently from the lines around it",
        False,
    ),
    (
        re.compile(r"scanning a quoted scalar"),
        "this quoted value is never closed: add the closing quote",
        True,
    ),
    (re.compile(r"expected ',' or '\]'"), "this '[' list is not closed with ']'", True),
    (re.compile(r"expected ',' or '\}'"), "this '{' mapping is not closed with '}'", True),
    (
        re.compile(r"found undefined alias '?([^']*)'?"),
        "alias '*{0}' is used before any anchor '&{0}' defines it",
        False,
    ),
    (
        re.compile(r"could not determine a constructor for the tag '([^']*)'"),
        "YAML tag '{0}' is not supported: mapping files hold plain data only",
        False,
    ),
]


def _explain(error: yaml.MarkedYAMLError) -> tuple[str, Pos]:
    problem = (error.problem or "").strip()
    context = (error.context or "").strip()
    mark = error.problem_mark or error.context_mark
    message = f"invalid YAML: {problem} ({context})" if context else f"invalid YAML: {problem}"
    for pattern, hint, at_context in _HINTS:
        if match := pattern.search(f"{problem} ({context})"):
            message = hint.replace("{0}", match.group(1)) if match.groups() else hint
            if at_context and error.context_mark is not None:
                mark = error.context_mark
            break
    pos = Pos(1, 1) if mark is None else Pos(mark.line + 1, mark.column + 1)
    return message, pos


def load_yaml(text: str, file: str) -> tuple[YamlDoc | None, list[Problem]]:
    """Load one YAML document. Returns ``None`` and one problem when it cannot be parsed;
    otherwise the document and any problems found while building it (duplicate keys,
    unsupported tags), the data being complete apart from those."""
    try:
        # The reader checks every character as it is made.
        loader = yaml.SafeLoader(text)
    except yaml.reader.ReaderError as error:
        return None, [_unreadable(text, file, error)]
    try:
        try:
            root = loader.get_single_node()
        except yaml.MarkedYAMLError as error:
            message, pos = _explain(error)
            return None, [Problem(file, pos.line, pos.column, message)]
        except yaml.reader.ReaderError as error:
            return None, [_unreadable(text, file, error)]
        except yaml.YAMLError as error:
            return None, [Problem(file, 1, 1, f"invalid YAML: {error}")]
        except RecursionError:
            # PyYAML composes nested lists and mappings recursively.
            return None, [Problem(file, 1, 1, "values are nested far too deeply")]
        doc = YamlDoc(file=file, data=None)
        if root is None:
            doc.values[()] = Pos(1, 1)
            return doc, []
        builder = _Builder(loader, doc)
        try:
            doc.data = builder.build(root, ())
        except _Refused as refused:
            return None, [refused.problem]
        return doc, builder.problems
    finally:
        loader.dispose()


def _unreadable(text: str, file: str, error: yaml.reader.ReaderError) -> Problem:
    """Where the file holds a character YAML does not allow (a control character, say)."""
    before = text[: error.position]
    line = before.count("\n") + 1
    column = error.position - (before.rfind("\n") + 1) + 1
    code = (
        error.character
        if isinstance(error.character, int)
        else ord(str(error.character)[:1] or "?")
    )
    return Problem(
        file,
        line,
        column,
        f"the file holds the character #x{code:04x}, which YAML does not allow: is it a text file?",
    )
