"""What a push holds once Redmine has it: the plan compares that, not the raw value."""

from __future__ import annotations

from okrsync_redmine.push import written_number

from okrsync.connector import PushTarget


def field(name: str) -> PushTarget:
    return PushTarget("kr", "redmine", "field", issue="6", field=name)


def test_done_ratio_is_held_as_a_whole_percent_from_0_to_100() -> None:
    # round() as the write sends it: 33.3 -> 33, 84.6 -> 85; a stretch 120 -> 100.
    done_ratio = field("done_ratio")
    assert [written_number(done_ratio, v) for v in (33.3, 84.6, 120.0, -3.0)] == [
        33.0,
        85.0,
        100.0,
        0.0,
    ]


def test_a_float_field_keeps_six_decimals_and_other_pushes_are_unchanged() -> None:
    assert written_number(field("KR Progress"), 100 / 3) == 33.333333
    assert written_number(field("KR Progress"), 42.5) == 42.5
    comment = PushTarget("kr", "redmine", "comment", issue="6")
    assert written_number(comment, "okrsync: 42.5%") == "okrsync: 42.5%"
