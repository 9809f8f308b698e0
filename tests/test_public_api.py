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


def test_the_connector_sdk_exports_exactly_what_it_lists() -> None:
    import okrsync.sdk as sdk

    public = {name for name in vars(sdk) if not name.startswith("_")} - {"annotations"}
    assert public == set(sdk.__all__)
    assert sdk.make_client.__module__ == "okrsync.http"
