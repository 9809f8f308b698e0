"""Progress display for long pulls (on stderr, so JSON on stdout stays clean)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn


@contextmanager
def pull_progress(console: Console) -> Iterator[Callable[[str, str, int], None]]:
    """Yields a callback ``(instance, query, items_so_far)``; one line per query."""
    tasks: dict[tuple[str, str], TaskID] = {}
    with Progress(
        SpinnerColumn(),
        # A query is shown as written: no Rich markup is read in it.
        TextColumn("{task.description}", markup=False),
        TextColumn("{task.completed} items", style="cyan", markup=False),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as progress:

        def update(source: str, query: str, count: int) -> None:
            key = (source, query)
            if key not in tasks:
                label = query if len(query) <= 50 else query[:49] + "…"
                tasks[key] = progress.add_task(f"{source}: {label}", total=None)
            progress.update(tasks[key], completed=count)

        yield update
