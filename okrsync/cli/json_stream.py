"""JSON documents written piece by piece, byte for byte what
``json.dumps(document, indent=2, default=str)`` gives.

A plan of 500 KRs over a million items lists a million evidence entries: as one string
it took as long as the evaluation and hundreds of MB at once (``indent`` makes
``json`` use its pure-Python encoder). Written in pieces, memory stays flat, and the
flat objects evidence is made of (strings, numbers, booleans only) take a fast path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from json.encoder import JSONEncoder, encode_basestring_ascii
from typing import IO, Any

INDENT = "  "
# Pieces gathered before each write: few calls, little memory.
_PIECES_PER_WRITE = 4096


def write_json(document: Any, stream: IO[str]) -> None:
    """``document`` as ``json.dumps(document, indent=2, default=str) + "\\n"``."""
    pieces: list[str] = []
    for piece in _encode(document, 0):
        pieces.append(piece)
        if len(pieces) >= _PIECES_PER_WRITE:
            stream.write("".join(pieces))
            pieces.clear()
    pieces.append("\n")
    stream.write("".join(pieces))


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    return float.__repr__(value)


def _scalar(value: Any) -> str | None:
    """A string, number, boolean or null as JSON; None for anything else."""
    if isinstance(value, str):
        return encode_basestring_ascii(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return _float(value)
    return None


def _key(key: Any) -> str:
    # What ``json`` does with keys that are not strings (it coerces, then quotes).
    if isinstance(key, str):
        return encode_basestring_ascii(key)
    text = _scalar(key)
    if text is None:
        raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")
    return '"' + text.strip('"') + '"'


def _encode(value: Any, level: int) -> Iterator[str]:
    text = _scalar(value)
    if text is not None:
        yield text
    elif isinstance(value, dict):
        yield from _encode_dict(value, level)
    elif isinstance(value, list | tuple):
        yield from _encode_list(value, level)
    else:
        yield encode_basestring_ascii(str(value))  # default=str


def _encode_list(values: list[Any] | tuple[Any, ...], level: int) -> Iterator[str]:
    if not values:
        yield "[]"
        return
    inner = "\n" + INDENT * (level + 1)
    yield "[" + inner
    flat = _flat_encoder(level + 1)
    for index, value in enumerate(values):
        if index:
            yield "," + inner
        text = flat(value)
        if text is None:
            yield from _encode(value, level + 1)
        else:
            yield text
    yield "\n" + INDENT * level + "]"


def _encode_dict(document: dict[Any, Any], level: int) -> Iterator[str]:
    if not document:
        yield "{}"
        return
    inner = "\n" + INDENT * (level + 1)
    yield "{" + inner
    for index, (key, value) in enumerate(document.items()):
        if index:
            yield "," + inner
        yield _key(key) + ": "
        yield from _encode(value, level + 1)
    yield "\n" + INDENT * level + "}"


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _flat_encoder(level: int) -> Callable[[Any], str | None]:
    """Encodes an object whose values are all scalars at ``level`` in one piece (None
    for anything else): the shape of every evidence entry.

    ``json``'s C encoder cannot indent, but between the members of a flat object the
    indented text is just a separator: the C encoder writes the members with that
    separator, and only the braces are put on their own lines here."""
    pad = INDENT * (level + 1)
    members = JSONEncoder(separators=(",\n" + pad, ": "), default=str).encode
    opening = "{\n" + pad
    closing = "\n" + INDENT * level + "}"
    scalars = _SCALARS

    def encode(value: Any) -> str | None:
        if type(value) is not dict or not value:
            return None
        for item in value.values():
            if type(item) not in scalars:
                return None
        for key in value:
            if type(key) is not str:
                return None
        return opening + members(value)[1:-1] + closing

    return encode
