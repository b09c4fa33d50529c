"""The typed run-error record: stored JSON keys unchanged, old records read as written."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from jupyter_mlops.errors import RunError, describe_error, first_source_line


def test_from_exception_keeps_name_value_and_traceback():
    try:
        1 / 0  # noqa: B018
    except ZeroDivisionError as exc:
        record = RunError.from_exception(exc, execution_count=3)
    data = record.to_dict()
    assert data["ename"] == "ZeroDivisionError" and data["evalue"] == "division by zero"
    assert "1 / 0" in data["traceback"] and data["execution_count"] == 3
    assert RunError.from_dict(data) == record


def test_a_record_stored_before_positions_reads_and_describes_as_before():
    old = {"ename": "ZeroDivisionError", "evalue": "division by zero", "traceback": "tb", "cell": 4,
           "execution_count": 2, "source": "z = y / 0", "snapshot_error": "too big"}
    record = RunError.from_dict(old)
    assert record.to_dict() == old  # nothing lost, nothing renamed
    assert record.describe() == "ZeroDivisionError: division by zero (cell 4)"
    assert describe_error({"ename": "Timeout", "evalue": "the notebook did not finish", "cell": None,
                           "reason": "timeout"}) == "Timeout: the notebook did not finish"


def test_describe_names_position_count_and_first_line():
    record = RunError("ZeroDivisionError", "division by zero", cell=1, cell_index=2, execution_count=3,
                      source_line=first_source_line("\n%%track --name a\n\nx = 1 / 0\ny = 2"))
    assert record.describe() == 'ZeroDivisionError: division by zero (cell 1 [3]: "x = 1 / 0")'
    assert describe_error(None) == ""


def test_hostile_records_do_not_break_reading():
    assert RunError.from_dict({"cell": "<b>1</b>", "evalue": {"deep": [1]}}).describe().startswith("error: ")
    assert RunError.from_dict({"cell": True}).to_dict()["cell"] is True  # kept, not trusted
    long = first_source_line("x = '" + "a" * 500 + "'")
    assert long is not None and len(long) == 60 and long.endswith("…")


@given(st.dictionaries(st.text(max_size=12), st.none() | st.integers() | st.text(max_size=20), max_size=8))
def test_any_stored_error_round_trips_through_the_record(data):
    record = RunError.from_dict(data)
    assert record is not None
    again = record.to_dict()
    for key, value in data.items():
        if key in ("ename", "evalue", "traceback"):
            assert value is None or again[key] == str(value)
        else:
            assert again.get(key) == value
    json.dumps(again)
    assert isinstance(record.describe(), str)
