"""Reading a tool's JSON answer into text the store and the terminal can hold.

JSON may carry lone surrogates (``"\\ud800"``), which no UTF-8 store or terminal
accepts: one such title in a tool would make every sync fail. They become U+FFFD,
the replacement character, as a browser shows them."""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

# A surrogate can only come from an escape (\ud800..\udfff) or from bytes that encode
# one (ED A0..BF xx): answers without either are returned as parsed.
_MAYBE_SURROGATE = re.compile(rb"\\[uU][dD][89a-fA-F]|\xed[\xa0-\xbf]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def loads_answer(content: bytes | str) -> Any:
    """``json.loads``, with every lone surrogate in the answer's text replaced.

    A tool's answer is decoded by orjson, several times faster (a pull decodes
    hundreds of MB), which refuses lone surrogates, so what it reads needs no check.
    It reads integers beyond 64 bits as floats: no tool's API sends such (they count
    in Java longs, Ruby and Go integers of 64 bits), but a document of the user's may,
    which ``loads_document`` reads exactly. Anything orjson refuses (surrogates, NaN,
    UTF-16, a byte order mark, nesting past its limit) is read as ``loads_document``
    reads it, with the same errors."""
    try:
        return orjson.loads(content)
    except orjson.JSONDecodeError:
        return loads_document(content)


def loads_document(content: bytes | str) -> Any:
    """``json.loads``, with every lone surrogate in the text replaced: for JSON
    documents of any kind (integers of any size stay integers)."""
    parsed = json.loads(content)
    raw = content.encode("utf-8", "surrogatepass") if isinstance(content, str) else content
    if _MAYBE_SURROGATE.search(raw) is None:
        return parsed
    return _encodable(parsed)


def _encodable(value: Any) -> Any:
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_encodable(k): _encodable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_encodable(v) for v in value]
    return value
