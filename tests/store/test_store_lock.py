from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from okrsync.errors import RunInProgress
from okrsync.store import Store

# Another process that takes the run lock and holds it until told to stop.
HOLDER = """
import sys
from okrsync.store import Store
with Store.open(sys.argv[1]) as store, store.run_lock():
    print("locked", flush=True)
    sys.stdin.readline()
"""


@contextmanager
def held_elsewhere(url: str) -> Iterator[subprocess.Popen[str]]:
    with subprocess.Popen(
        [sys.executable, "-c", HOLDER, url],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as process:
        try:
            assert process.stdout is not None
            assert process.stdout.readline().strip() == "locked"
            yield process
        finally:
            if process.poll() is None:
                process.kill()


def release(process: subprocess.Popen[str]) -> None:
    assert process.stdin is not None
    process.stdin.write("\n")
    process.stdin.flush()


def test_another_process_holding_the_lock(store: Store, store_url: str) -> None:
    with held_elsewhere(store_url) as holder:
        with pytest.raises(RunInProgress) as refused, store.run_lock():
            pass
        message = str(refused.value)
        assert message.startswith("another okrsync run is using this store (started ")
        assert f"by pid {holder.pid} on " in message
        assert message.endswith("; try again when it finishes, or pass --wait to wait for it")

        # Waiting takes the lock as soon as the other run lets go of it.
        timer = threading.Timer(0.5, release, [holder])
        timer.start()
        started = time.monotonic()
        with store.run_lock(wait=True):
            waited = time.monotonic() - started
            assert holder.wait(timeout=10) == 0
        timer.join()
    assert waited >= 0.4
    with store.run_lock():
        pass


def test_two_stores_in_one_process_exclude_each_other(store: Store, store_url: str) -> None:
    with Store.open(store_url) as other:
        refused = pytest.raises(RunInProgress, match=f"pid {os.getpid()}")
        with store.run_lock(), refused, other.run_lock():
            pass
        with other.run_lock(), pytest.raises(RunInProgress), store.run_lock():
            pass
        with store.run_lock():
            pass


def test_the_lock_is_released_when_the_run_fails(store: Store) -> None:
    with pytest.raises(KeyError), store.run_lock():
        raise KeyError("boom")
    with store.run_lock():
        pass


def test_in_memory_stores_lock_too() -> None:
    with Store.open("sqlite://") as store:
        with store.run_lock(), pytest.raises(RunInProgress), store.run_lock():
            pass
        with store.run_lock():
            pass
