"""Line-aware YAML loading: data as plain Python, a position for every path."""

from __future__ import annotations

from datetime import date

from okrsync.mapping.yamlpos import MAX_DEPTH, MAX_VALUES, Pos, load_yaml

TEXT = """\
version: 1
cycle: 2027-Q1
objectives:
  - id: a
    key_results:
      - id: k
        override: {value: 0.4, until: 2027-02-20}
"""


def test_data_is_plain_python_and_dates_stay_dates() -> None:
    doc, problems = load_yaml(TEXT, "m.yaml")
    assert problems == []
    assert doc is not None
    override = doc.data["objectives"][0]["key_results"][0]["override"]
    assert override == {"value": 0.4, "until": date(2027, 2, 20)}
    assert doc.data["cycle"] == "2027-Q1"


def test_every_path_has_its_value_and_key_position() -> None:
    doc, _ = load_yaml(TEXT, "m.yaml")
    assert doc is not None
    assert doc.value_pos(("version",)) == Pos(1, 10)
    assert doc.key_pos(("version",)) == Pos(1, 1)
    # A block mapping in a list starts at its first key.
    assert doc.value_pos(("objectives", 0)) == Pos(4, 5)
    assert doc.value_pos(("objectives", 0, "key_results", 0)) == Pos(6, 9)
    kr_override = ("objectives", 0, "key_results", 0, "override")
    assert doc.value_pos(kr_override) == Pos(7, 19)  # the '{'
    assert doc.value_pos((*kr_override, "until")) == Pos(7, 39)
    assert doc.key_pos((*kr_override, "until")) == Pos(7, 32)
    assert doc.where(("objectives", 0, "key_results", 0)) == "m.yaml:6:9"


def test_unknown_paths_fall_back_to_the_nearest_enclosing_value() -> None:
    doc, _ = load_yaml(TEXT, "m.yaml")
    assert doc is not None
    assert doc.value_pos(("objectives", 0, "title")) == Pos(4, 5)
    assert doc.value_pos(("nothing", "here")) == Pos(1, 1)


def test_duplicate_keys_are_problems_at_the_second_key() -> None:
    doc, problems = load_yaml("a: 1\nb: {x: 1, x: 2}\na: 3\n", "d.yaml")
    assert [str(p) for p in problems] == [
        "d.yaml:2:11: error: duplicate key 'x': already given at line 2 "
        "(YAML would silently keep only the last one)",
        "d.yaml:3:1: error: duplicate key 'a': already given at line 1 "
        "(YAML would silently keep only the last one)",
    ]
    assert doc is not None and doc.data == {"a": 3, "b": {"x": 2}}


def test_tab_indentation_is_explained() -> None:
    doc, problems = load_yaml("objectives:\n\t- id: a\n", "t.yaml")
    assert doc is None
    assert [str(p) for p in problems] == [
        "t.yaml:2:1: error: a tab character is used for indentation; YAML indents with spaces only"
    ]


def test_unclosed_things_point_at_where_they_began() -> None:
    _, problems = load_yaml("a: 1\nb: [1, 2\nc: 3\n", "u.yaml")
    assert [str(p) for p in problems] == ["u.yaml:2:4: error: this '[' list is not closed with ']'"]
    _, problems = load_yaml('a: "open\nb: 2\n', "q.yaml")
    assert [str(p) for p in problems] == [
        "q.yaml:1:4: error: this quoted value is never closed: add the closing quote"
    ]


def test_bad_indentation_and_stray_colons() -> None:
    _, problems = load_yaml("a:\n  b: 1\n c: 2\n", "i.yaml")
    assert [str(p) for p in problems] == [
        "i.yaml:3:2: error: this line is indented differently from the lines around it"
    ]
    _, problems = load_yaml("title: Fix: the bug\n", "c.yaml")
    assert [str(p) for p in problems] == [
        "c.yaml:1:11: error: unexpected ':' here: quote a value that contains ': ', "
        "or fix the indentation"
    ]


def test_one_document_per_file() -> None:
    _, problems = load_yaml("a: 1\n---\nb: 2\n", "two.yaml")
    assert [p.line for p in problems] == [2]
    assert "one YAML document" in problems[0].message


def test_anchors_and_merge_keys_work_and_explicit_keys_win() -> None:
    doc, problems = load_yaml("base: &b {x: 1, y: 2}\nd:\n  <<: *b\n  y: 3\n", "m.yaml")
    assert problems == []
    assert doc is not None and doc.data["d"] == {"x": 1, "y": 3}


def test_recursive_aliases_and_code_tags_are_refused() -> None:
    doc, problems = load_yaml("a: &a [*a]\n", "r.yaml")
    assert doc is not None
    assert [str(p) for p in problems] == [
        "r.yaml:1:4: error: an alias refers to the structure that contains it"
    ]
    _, problems = load_yaml("a: !!python/object:os.system x\n", "p.yaml")
    assert len(problems) == 1 and "plain data only" in problems[0].message


def test_an_empty_document_is_none() -> None:
    doc, problems = load_yaml("# nothing\n", "e.yaml")
    assert problems == [] and doc is not None and doc.data is None


BILLION_LAUGHS = """\
a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""


def test_aliases_that_expand_beyond_any_real_file_are_refused() -> None:
    # 9**9 values once expanded: building them would take the machine's memory.
    doc, problems = load_yaml(BILLION_LAUGHS, "m.yaml")
    assert doc is None
    assert [(p.line, str(p)) for p in problems] == [
        (
            problems[0].line,
            f"m.yaml:{problems[0].line}:{problems[0].column}: error: this file holds more "
            f"than {MAX_VALUES:,} values once its aliases are expanded; write the values "
            "out instead of nesting aliases",
        )
    ]


def test_aliases_within_reason_still_expand() -> None:
    doc, problems = load_yaml("a: &a [1, 2]\nb: [*a, *a]\n", "m.yaml")
    assert problems == []
    assert doc is not None and doc.data == {"a": [1, 2], "b": [[1, 2], [1, 2]]}


def test_nesting_deeper_than_any_real_file_is_refused() -> None:
    too_deep = "a: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "\n"
    doc, problems = load_yaml(too_deep, "m.yaml")
    assert doc is None
    assert [str(p) for p in problems] == [
        f"m.yaml:1:{4 + MAX_DEPTH}: error: values are nested more than {MAX_DEPTH} levels deep here"
    ]
    doc, problems = load_yaml("a: " + "[" * 20 + "]" * 20 + "\n", "m.yaml")
    assert problems == [] and doc is not None


def test_nesting_that_exhausts_the_parser_is_one_problem() -> None:
    doc, problems = load_yaml("a: " + "[" * 5000 + "]" * 5000 + "\n", "m.yaml")
    assert doc is None
    assert [str(p) for p in problems] == ["m.yaml:1:1: error: values are nested far too deeply"]


def test_characters_yaml_does_not_allow_are_located() -> None:
    # PyYAML checks characters as it builds its reader, before any parsing.
    doc, problems = load_yaml("\x00\x01", "m.yaml")
    assert doc is None
    assert [str(p) for p in problems] == [
        "m.yaml:1:1: error: the file holds the character #x0000, which YAML does not "
        "allow: is it a text file?"
    ]
    doc, problems = load_yaml("version: 1\ncycle: 2027-Q1\x1b\n", "m.yaml")
    assert doc is None
    assert [str(p) for p in problems] == [
        "m.yaml:2:15: error: the file holds the character #x001b, which YAML does not "
        "allow: is it a text file?"
    ]
