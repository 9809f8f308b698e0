"""One mapping file on its own: every bad input is a located, actionable problem."""

from __future__ import annotations

from mapping_helpers import BASE_MAPPING, problems_in

MEASURES = (
    "count, done, completion, sum, average, min, max, throughput, cycle_time, lead_time, "
    "velocity, scope_added, metric, formula"
)
KR_KEYS = (
    "id, title, kind, owner, description, select, where, measure, inputs, weight_by, "
    "unestimated, scope, baseline, target, targets, stretch, weight, override, push"
)


def with_kr_lines(*lines: str) -> str:
    """BASE_MAPPING with ``lines`` added to its key result (from line 13 on)."""
    return BASE_MAPPING + "".join(f"        {line}\n" for line in lines)


def test_the_base_mapping_is_valid() -> None:
    assert problems_in(BASE_MAPPING) == []


def test_unknown_key_in_a_selection_suggests_the_closest_and_lists_valid_keys() -> None:
    text = BASE_MAPPING.replace(
        "select: {query: parent = SHOP-100}", "select:\n          qurey: parent = SHOP-100"
    )
    assert problems_in(text) == [
        "m.yaml:12:11: error: missing required key 'query' in selection",
        "m.yaml:12:11: error: unknown key 'qurey' in selection (did you mean 'query'?); "
        "valid keys: source, query, where",
    ]


def test_unknown_key_in_a_key_result_lists_all_its_keys() -> None:
    assert problems_in(with_kr_lines("wieght: 2")) == [
        "m.yaml:13:9: error: unknown key 'wieght' in key result (did you mean 'weight'?); "
        f"valid keys: {KR_KEYS}"
    ]


def test_unknown_top_level_key() -> None:
    text = BASE_MAPPING.replace("cycle: 2027-Q1", "cycle: 2027-Q1\nteams: checkout")
    assert problems_in(text) == [
        "m.yaml:3:1: error: unknown key 'teams' in the mapping file (did you mean 'team'?); "
        "valid keys: version, cycle, team, schedule, defaults, objectives"
    ]


def test_wrong_types_say_what_was_expected_and_what_was_given() -> None:
    text = BASE_MAPPING.replace(
        "title: Shoppers breeze through checkout", "title: [Shoppers, checkout]\n    owner: no"
    )
    text += "        weight: heavy\n"
    assert problems_in(text) == [
        "m.yaml:7:12: error: 'title' expects text, got a list",
        "m.yaml:8:12: error: 'owner' expects text, got false (YAML reads yes/no/on/off as "
        "true/false: put the value in quotes)",
        "m.yaml:14:17: error: 'weight' expects a number, got 'heavy'",
    ]


def test_unknown_measure_names_the_valid_ones() -> None:
    text = BASE_MAPPING.replace("measure: completion", "measure: completness")
    assert problems_in(text) == [
        "m.yaml:12:18: error: unknown measure 'completness' (did you mean 'completion'?); "
        f"valid measures: {MEASURES}"
    ]
    text = BASE_MAPPING.replace("measure: completion", "measure: {sums: story_points}")
    assert problems_in(text) == [
        "m.yaml:12:18: error: unknown measure 'sums' (did you mean 'sum'?); "
        f"valid measures: {MEASURES}"
    ]


def test_measure_settings_errors_point_inside_the_measure() -> None:
    text = BASE_MAPPING.replace(
        "measure: completion", "measure: {sum: story_points, where: {type: story}}"
    )
    assert problems_in(text.replace("completion", "x") + "        target: 10\n") == [
        "m.yaml:12:38: error: unknown key 'where' in measure 'sum'; valid keys: sum "
        "('where' belongs beside 'measure', not inside it)"
    ]
    text = BASE_MAPPING.replace("measure: completion", "measure: {count: true}")
    assert problems_in(text + "        target: 3\n") == [
        "m.yaml:12:18: error: measure 'count' takes no settings: write 'measure: count'"
    ]


def test_unknown_where_filter_lists_the_valid_filters() -> None:
    text = BASE_MAPPING.replace(
        "select: {query: parent = SHOP-100}", "select: {query: x, where: {typ: story}}"
    )
    assert problems_in(text) == [
        "m.yaml:11:36: error: unknown filter 'typ' in where (did you mean 'type'?); "
        "valid filters: type, status_category, labels, project, parent, sprint"
    ]


def test_unknown_enum_value_lists_the_valid_values() -> None:
    text = with_kr_lines("where: {status_category: [todo, doing]}", "kind: outcom")
    assert problems_in(text) == [
        "m.yaml:13:41: error: invalid value 'doing' for 'status_category' (did you mean 'done'?); "
        "valid values: todo, in_progress, done",
        "m.yaml:14:15: error: invalid value 'outcom' for 'kind' (did you mean 'outcome'?); "
        "valid values: output, outcome",
    ]


def test_cycles_outside_the_years_okrsync_works_in() -> None:
    # A cycle ending on 9999-12-31 has no midnight after its last day to end at.
    for cycle, year in [("9999-Q4", 9999), ("{start: 9999-12-01, end: 9999-12-31}", 9999)]:
        text = BASE_MAPPING.replace("cycle: 2027-Q1", f"cycle: {cycle}")
        assert problems_in(text) == [
            f"m.yaml:2:8: error: the cycle's year {year} is out of range: cycles fall "
            "between 1970 and 2999"
        ]
    assert problems_in(BASE_MAPPING.replace("cycle: 2027-Q1", "cycle: 2999-Q4")) == []


def test_bad_cycles() -> None:
    text = BASE_MAPPING.replace("cycle: 2027-Q1", "cycle: 2027-Q5")
    assert problems_in(text) == [
        "m.yaml:2:8: error: '2027-Q5' is not a cycle: write 2027-Q1..Q4, 2027-H1/H2, "
        "this-quarter, this-half, or {start: 2027-01-01, end: 2027-03-31}"
    ]
    text = BASE_MAPPING.replace("cycle: 2027-Q1", "cycle: {start: 2027-03-31, end: 2027-01-01}")
    assert problems_in(text) == [
        "m.yaml:2:8: error: the cycle ends (2027-01-01) before it starts (2027-03-31)"
    ]
    text = BASE_MAPPING.replace("cycle: 2027-Q1", "cycle: {start: 2027-01-01, ends: 2027-03-31}")
    assert problems_in(text) == [
        "m.yaml:2:8: error: missing required key 'end' in cycle",
        "m.yaml:2:28: error: unknown key 'ends' in cycle (did you mean 'end'?); "
        "valid keys: start, end",
    ]


def test_bad_durations_and_quantities() -> None:
    text = BASE_MAPPING.replace(
        "measure: completion", "measure: {cycle_time: {percentile: 50, window: 4 weeks}}"
    )
    text += "        baseline: 6 days\n        target: 3d\n"
    assert problems_in(text) == [
        "m.yaml:12:56: error: '4 weeks' is not a duration such as 36h, 3d or 2w",
        "m.yaml:13:19: error: '6 days' is not a number, a percentage such as 80%, "
        "or a duration such as 36h, 3d or 2w",
    ]


def test_missing_required_keys_point_at_the_mapping_that_lacks_them() -> None:
    text = BASE_MAPPING.replace("        title: Ship one-click checkout\n", "")
    assert problems_in(text) == ["m.yaml:9:9: error: missing required key 'title' in key result"]
    text = BASE_MAPPING.replace("version: 1\n", "")
    assert problems_in(text) == [
        "m.yaml:1:1: error: missing required key 'version' in the mapping file (add 'version: 1')"
    ]


def test_bad_ids() -> None:
    text = BASE_MAPPING.replace("id: faster-checkout", "id: Faster_Checkout")
    assert problems_in(text) == [
        "m.yaml:6:9: error: 'Faster_Checkout' is not a valid id: use lower-case letters, "
        "digits and dashes, starting with a letter or digit (e.g. faster-checkout)"
    ]


def test_target_equal_to_baseline_is_located_at_the_key_result() -> None:
    text = BASE_MAPPING.replace("measure: completion", "measure: count\n        baseline: 5")
    assert problems_in(text + "        target: 5\n") == [
        "m.yaml:9:9: error: 'target' equals 'baseline': progress cannot be measured"
    ]


def test_push_problems() -> None:
    text = with_kr_lines("push:", "  - to: jira", "    comment: true")
    assert problems_in(text) == [
        "m.yaml:14:13: error: give exactly one of 'issue' (an existing issue) or 'create'"
    ]
    text = with_kr_lines(
        "push:", "  - to: jira", "    issue: OKR-12", "    field: {name: KR Progress, value: raw}"
    )
    assert problems_in(text) == [
        "m.yaml:16:47: error: invalid value 'raw' for 'value'; valid values: progress, current"
    ]


def test_plain_union_errors_keep_only_the_branch_that_fits() -> None:
    text = BASE_MAPPING.replace("select: {query: parent = SHOP-100}", "select: 5")
    assert problems_in(text) == [
        "m.yaml:11:17: error: 'select' expects a mapping or a list, got the number 5"
    ]
    text = BASE_MAPPING.replace(
        "select: {query: parent = SHOP-100}",
        "select:\n          - {query: a}\n          - {qery: b}",
    )
    assert problems_in(text) == [
        "m.yaml:13:13: error: missing required key 'query' in selection",
        "m.yaml:13:14: error: unknown key 'qery' in selection (did you mean 'query'?); "
        "valid keys: source, query, where",
    ]


def test_override_needs_a_date() -> None:
    text = with_kr_lines("override: {value: 0.4, reason: Provider delay, until: soon}")
    assert problems_in(text) == [
        "m.yaml:13:63: error: 'until' expects a date such as 2027-02-20, got 'soon'"
    ]


def test_scope_added_since_lists_both_accepted_forms() -> None:
    text = BASE_MAPPING.replace("measure: completion", "measure: {scope_added: {since: yesterday}}")
    assert problems_in(text + "        target: 3\n") == [
        "m.yaml:12:40: error: 'since' expects 'cycle_start' or a date such as 2027-02-20, "
        "got 'yesterday'"
    ]


def test_files_that_are_not_mappings() -> None:
    assert problems_in("- a\n- b\n") == [
        "m.yaml:1:1: error: a mapping file holds 'version: 1', 'cycle' and 'objectives'; got a list"
    ]
    assert problems_in("# only a comment\n") == [
        "m.yaml:1:1: error: a mapping file holds 'version: 1', 'cycle' and 'objectives'; "
        "got an empty file"
    ]
    # Another kind of text file is one long plain scalar: it is not quoted back whole.
    passwd = "root:x:0:0:root:/root:/bin/bash\n" * 20
    assert problems_in(passwd) == [
        "m.yaml:1:1: error: a mapping file holds 'version: 1', 'cycle' and 'objectives'; "
        f"got a text of {len(passwd.strip().replace(chr(10), ' ')):,} characters"
    ]


def test_malformed_yaml_is_one_problem_at_the_parser_position() -> None:
    text = BASE_MAPPING.replace("    title: Shoppers", "\ttitle: Shoppers")
    assert problems_in(text) == [
        "m.yaml:7:1: error: a tab character is used for indentation; YAML indents with spaces only"
    ]


def test_duplicate_keys_are_reported_and_validation_goes_on() -> None:
    text = with_kr_lines("measure: count", "kind: outcom")
    assert problems_in(text) == [
        "m.yaml:13:9: error: duplicate key 'measure': already given at line 12 "
        "(YAML would silently keep only the last one)",
        "m.yaml:14:15: error: invalid value 'outcom' for 'kind' (did you mean 'outcome'?); "
        "valid values: output, outcome",
    ]


def test_every_problem_of_a_file_is_reported_at_once() -> None:
    text = """
        version: 2
        cycle: 2027-Q7
        objectives:
          - id: Bad
            title: x
            key_results:
              - id: a
                title: t
                measure: cnt
              - id: b
                title: t
                select: {query: x, where: {typ: story}}
                measure: count
                target: 1
                push: [{to: jira}]
        """
    found = problems_in(text)
    assert [p.split(": error: ")[0] for p in found] == [
        "m.yaml:1:10",
        "m.yaml:2:8",
        "m.yaml:4:9",
        "m.yaml:9:18",
        "m.yaml:12:36",
        "m.yaml:15:16",
    ]


def test_numbers_must_be_finite() -> None:
    # YAML reads .nan and .inf as floats; as a target or weight they would make every
    # score NaN.
    assert problems_in(with_kr_lines("target: .nan", "weight: -.inf")) == [
        "m.yaml:13:17: error: 'target' expects a finite number (not .nan or .inf), got the "
        "number nan",
        "m.yaml:14:17: error: 'weight' expects a finite number (not .nan or .inf), got the "
        "number -inf",
    ]
