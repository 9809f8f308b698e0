"""Small pieces shared by objectives and key results: status pills and progress bars."""

from __future__ import annotations

from okrsync.report._text import esc, percent, status_word


def status_class(status: str) -> str:
    return f"status-{esc(status or 'no_data')}"


def pill(status: str) -> str:
    return (
        f'<span class="pill {status_class(status)}">{esc(status_word(status or "no_data"))}</span>'
    )


def progress_bar(progress: float | None, expected: float | None, status: str) -> str:
    """A bar filled to ``progress`` with a tick where the cycle says it should be by now;
    stretch results past 100% fill the bar and get a striped end."""
    label = f"progress {percent(progress)}, expected {percent(expected)}"
    parts = [f'<div class="bar" role="img" aria-label="{esc(label)}">']
    if progress is not None:
        width = min(max(progress, 0.0), 1.0) * 100
        beyond = " beyond" if progress > 1.0 else ""
        parts.append(
            f'<div class="fill {status_class(status)}{beyond}" style="width:{width:.1f}%"></div>'
        )
    if expected is not None:
        left = min(max(expected, 0.0), 1.0) * 100
        parts.append(
            f'<div class="expected-mark" style="left:{left:.1f}%" '
            f'title="expected {esc(percent(expected))}"></div>'
        )
    parts.append("</div>")
    return "".join(parts)


def progress_figures(progress: float | None, expected: float | None) -> str:
    return (
        f'<span class="pct">{esc(percent(progress))}</span>'
        f'<span class="exp">expected {esc(percent(expected))}</span>'
    )
