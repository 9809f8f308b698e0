from __future__ import annotations

from pathlib import Path

import pytest

from okrsync.errors import StoreError
from okrsync.store import Store
from okrsync.store._engine import mask


def refusal(url: str) -> str:
    with pytest.raises(StoreError) as raised:
        Store.open(url)
    return str(raised.value)


def test_an_unreachable_server_is_reported_without_the_password() -> None:
    # Port 1 on loopback: nothing listens there, the connection is refused at once.
    message = refusal("postgresql+psycopg://okr:hunter2-secret@127.0.0.1:1/okrsync")
    assert "hunter2-secret" not in message
    assert message.startswith(
        "cannot open the state database postgresql+psycopg://okr:***@127.0.0.1:1/okrsync: "
    )
    assert "check the database setting" in message


def test_plain_postgresql_urls_use_psycopg() -> None:
    message = refusal("postgresql://okr:hunter2-secret@127.0.0.1:1/okrsync")
    assert "postgresql+psycopg://okr:***@127.0.0.1:1/okrsync" in message
    assert "hunter2-secret" not in message


def test_an_unsupported_database_is_named_without_the_password() -> None:
    message = refusal("mysql://okr:hunter2-secret@db.example/okrsync")
    assert "hunter2-secret" not in message
    assert "'mysql'" in message and "postgresql+psycopg://" in message


def test_a_setting_that_is_no_url() -> None:
    message = refusal("okr:hunter2-secret@somewhere")
    assert "hunter2-secret" not in message
    assert "is not a database URL" in message


def test_a_sqlite_file_that_cannot_be_created(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    message = refusal(f"sqlite:///{blocker}/okrsync.db")
    assert message.startswith("cannot create the state database sqlite:///")
    assert "check the path and its permissions" in message


def test_mask_hides_passwords_even_in_broken_urls() -> None:
    assert mask("postgresql+psycopg://u:p4ss@h/db") == "postgresql+psycopg://u:***@h/db"
    assert mask("sqlite:///okrsync.db") == "sqlite:///okrsync.db"
    assert "p4ss" not in mask("postgresql+psycopg://u:p4ss@h:notaport/db")


def test_a_sqlite_file_that_cannot_be_opened(tmp_path: Path) -> None:
    (tmp_path / "okrsync.db").mkdir()
    message = refusal(f"sqlite:///{tmp_path / 'okrsync.db'}")
    assert message.startswith(f"cannot open the state database sqlite:///{tmp_path}/okrsync.db: ")
    assert message.endswith("; check the path and its permissions")
