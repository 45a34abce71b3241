"""The portal's loss chart (emulator/portal/chart.py) and its filter form (emulator/portal/filters.py)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from emulator.portal.chart import MAX_POINTS, loss_chart, read_results
from emulator.portal.filters import FilterError, Filters, parse_metadata, parse_time
from emulator.portal.models import fine_tunable, split_version

HEADER = "step,train_loss,train_mean_token_accuracy,valid_loss,validation_mean_token_accuracy\n"
SVG = "{http://www.w3.org/2000/svg}"


def points(svg: str, series: str) -> list[tuple[float, float]]:
    root = ET.fromstring(svg)
    line = next(e for e in root.iter(f"{SVG}polyline") if e.get("data-series") == series)
    return [(float(x), float(y)) for x, y in (p.split(",") for p in (line.get("points") or "").split())]


def test_the_chart_is_an_image_named_training_loss_with_one_point_per_step() -> None:
    text = HEADER + "1,1.5,0.6,,\n2,1.0,0.7,,\n3,0.5,0.8,,\n"
    svg = loss_chart(read_results(text))
    root = ET.fromstring(svg)
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title") is not None and root.find(f"{SVG}title").text == "Training loss"  # type: ignore[union-attr]
    drawn = points(svg, "Training loss")
    assert len(drawn) == 3
    xs, ys = [p[0] for p in drawn], [p[1] for p in drawn]
    assert xs == sorted(xs) and ys == sorted(ys)  # steps go right, a falling loss goes down the page
    assert 'data-series="Validation loss"' not in svg
    assert "from 1.500 at step 1 to 0.500 at step 3" in svg


def test_validation_loss_is_drawn_where_the_file_has_it() -> None:
    text = HEADER + "1,1.5,0.6,1.6,0.5\n2,1.0,0.7,,\n3,0.5,0.8,0.9,0.6\n"
    svg = loss_chart(read_results(text))
    assert len(points(svg, "Validation loss")) == 2
    assert "Validation loss" in svg


def test_a_long_job_is_thinned_but_keeps_its_last_step() -> None:
    text = HEADER + "".join(f"{s},{1 / s:.5f},0.5,,\n" for s in range(1, 10_001))
    series = read_results(text)
    drawn = points(loss_chart(series), "Training loss")
    assert len(drawn) <= MAX_POINTS + 1
    assert drawn[-1][0] == pytest.approx(640 - 16)  # the last step at the right edge


def test_no_steps_no_chart_and_bad_rows_are_left_out() -> None:
    assert loss_chart(read_results(HEADER)) == ""
    series = read_results(HEADER + "x,1,1,,\n1,nan,1,,\n2,0.5,1,,\n")
    assert series.train == [(2.0, 0.5)]


def test_metadata_filter_text() -> None:
    assert parse_metadata(" task = a , user=b ,") == {"task": "a", "user": "b"}
    assert parse_metadata("") == {}
    with pytest.raises(FilterError, match="'oops' is not key=value"):
        parse_metadata("task=a, oops")
    with pytest.raises(FilterError, match="at most 16"):
        parse_metadata(",".join(f"k{i}=v" for i in range(17)))


def test_times_are_read_as_utc() -> None:
    assert parse_time("2025-01-01T00:00", "Created after") == 1_735_689_600
    assert parse_time("", "Created after") is None
    with pytest.raises(FilterError, match="Created before 'soon'"):
        parse_time("soon", "Created before")


def test_filters_become_each_apis_parameters() -> None:
    filters = Filters.from_form(
        {"metadata": "task=a", "model": "gpt-4o", "created_after": "2025-01-01T00:00", "created_before": ""}
    )
    assert filters.error is None
    assert filters.list_params() == [
        ("metadata[task]", "a"),
        ("model", "gpt-4o"),
        ("created_after", "1735689600"),
    ]
    assert filters.action_body("stored_model") == {
        "metadata": {"task": "a"},
        "stored_model": "gpt-4o",
        "created_after": 1_735_689_600,
    }
    assert re.fullmatch(
        r"metadata=task%3Da&model=gpt-4o&created_after=2025-01-01T00%3A00&after=x", filters.query(after="x")
    )
    assert Filters.from_form({"metadata": "nope"}).error is not None


def test_models_split_into_a_name_and_its_versions() -> None:
    assert split_version("gpt-4o-mini-2024-07-18") == ("gpt-4o-mini", "2024-07-18")
    assert split_version("gpt-35-turbo-0125") == ("gpt-35-turbo", "0125")
    assert split_version("ada") == ("ada", "")
    listed = [
        {"id": "gpt-4o-2024-08-06", "capabilities": {"fine_tune": True}},
        {"id": "gpt-4o-2024-11-20", "capabilities": {"fine_tune": True}},
        {"id": "text-embedding-3-small", "capabilities": {"fine_tune": False}},
        {"id": "davinci", "capabilities": {"fine_tune": True}, "lifecycle_status": "deprecated"},
    ]
    assert fine_tunable(listed) == {"gpt-4o": ["2024-08-06", "2024-11-20"]}
