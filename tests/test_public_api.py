"""The curated public API resolves every name it lists, and nothing else."""

from __future__ import annotations

import pytest

import okrsync


@pytest.mark.parametrize("name", [n for n in okrsync.__all__ if n != "__version__"])
def test_every_public_name_resolves_to_its_definition(name: str) -> None:
    value = getattr(okrsync, name)
    assert getattr(value, "__name__", name) == name
    assert value.__module__.startswith("okrsync.")


def test_unknown_names_are_attribute_errors() -> None:
    with pytest.raises(AttributeError, match="no attribute 'secrets_store'"):
        _ = okrsync.secrets_store
