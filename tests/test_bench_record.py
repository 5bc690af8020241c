"""``edu bench all``'s comparison and README's generated performance table
(edu_tools.bench_record): pure functions, no servers."""

from __future__ import annotations

import pytest
from edu_tools import bench_record as br
from edu_tools.bench_record import HIGHER, LOWER, Figure, RecordedFigure


def _fig(name: str, value: float, direction: br.Direction = HIGHER, **kw: object) -> Figure:
    return Figure.model_validate(
        {"name": name, "value": value, "unit": "/s", "direction": direction, **kw}
    )


def _profile(figures: list[RecordedFigure], profile: str = "short") -> br.ProfileRecord:
    return br.ProfileRecord(
        profile=profile,
        date="2026-12-04T19:00:00+00:00",
        commit="abc1234",
        dirty=False,
        repeat=2,
        wall_seconds=300.0,
        machine=br.Machine(
            cpu="AMD EPYC",
            cores=2,
            ram_gib=24.0,
            kernel="6.1",
            python="3.11.7",
            load_average=(0.3, 0.2, 0.1),
        ),
        figures=figures,
    )


def test_a_throughput_that_drops_beyond_the_noise_is_a_regression() -> None:
    row = br.compare_one(_fig("a", 80), _fig("a", 100), noise=0.05)
    assert row.change == pytest.approx(-0.20)
    assert row.flag == "REGRESSION"


def test_a_move_within_the_noise_is_not_flagged() -> None:
    assert br.compare_one(_fig("a", 92), _fig("a", 100), noise=0.10).flag == ""
    assert br.compare_one(_fig("a", 108), _fig("a", 100), noise=0.10).flag == ""


def test_a_latency_that_rises_is_a_regression_and_one_that_falls_is_better() -> None:
    assert br.compare_one(_fig("p95", 130, LOWER), _fig("p95", 100, LOWER), 0.1).flag == (
        "REGRESSION"
    )
    assert br.compare_one(_fig("p95", 70, LOWER), _fig("p95", 100, LOWER), 0.1).flag == "better"
    assert br.compare_one(_fig("rate", 130), _fig("rate", 100), 0.1).flag == "better"


def test_unknown_noise_falls_back_to_the_default_and_says_so() -> None:
    row = br.compare_one(_fig("a", 91), _fig("a", 100), noise=None)
    assert (row.threshold, row.noise_known, row.flag) == (br.DEFAULT_NOISE, False, "")
    assert br.compare_one(_fig("a", 85), _fig("a", 100), noise=None).flag == "REGRESSION"
    assert "(default)" in br.comparison_rows([row])[0][4]


def test_a_tiny_measured_noise_is_raised_to_the_floor() -> None:
    row = br.compare_one(_fig("a", 98), _fig("a", 100), noise=0.001)
    assert row.threshold == br.MIN_NOISE
    assert row.flag == ""


def test_a_figure_that_leaves_zero_the_wrong_way_is_a_regression() -> None:
    row = br.compare_one(_fig("dup", 3, LOWER, budget=0), _fig("dup", 0, LOWER), noise=0.1)
    assert (row.change, row.flag, row.within_budget) == (None, "REGRESSION", False)
    assert "over budget" in br.comparison_rows([row])[0][6]


def test_a_new_figure_has_no_change() -> None:
    rows = br.compare([RecordedFigure(**_fig("a", 1).model_dump())], previous=None)
    assert (rows[0].flag, rows[0].change) == ("new", None)


def test_compare_judges_by_the_larger_noise_of_the_two_runs() -> None:
    before = _profile([RecordedFigure(**_fig("a", 100).model_dump(), noise=0.25)])
    now = [RecordedFigure(**_fig("a", 80).model_dump(), noise=0.02)]
    (row,) = br.compare(now, before)
    assert row.threshold == 0.25
    assert row.flag == ""


def test_combine_takes_the_mean_and_the_spread_of_the_runs() -> None:
    runs = [[_fig("a", 90, cpu_ms=2.0)], [_fig("a", 110, cpu_ms=4.0)]]
    (figure,) = br.combine(runs)
    assert figure.value == 100
    assert figure.cpu_ms == 3.0
    assert figure.noise == pytest.approx(0.20)
    assert figure.runs == [90, 110]


def test_one_run_keeps_the_noise_measured_before() -> None:
    earlier = _profile([RecordedFigure(**_fig("a", 100).model_dump(), noise=0.07)])
    (figure,) = br.combine([[_fig("a", 95)]], noise_from=earlier)
    assert figure.noise == 0.07
    (unknown,) = br.combine([[_fig("b", 95)]], noise_from=earlier)
    assert unknown.noise is None


def test_the_record_round_trips_through_json() -> None:
    record = br.Record(profiles={"short": _profile([RecordedFigure(**_fig("a", 1).model_dump())])})
    assert br.Record.model_validate_json(br.dump(record)) == record


def test_the_table_has_a_column_per_profile_and_marks_figures_over_budget() -> None:
    short = _profile(
        [
            RecordedFigure(**_fig("rate", 80, budget=100).model_dump(), noise=0.05),
            RecordedFigure(**_fig("p95", 40.5, LOWER, cpu_ms=3.25).model_dump()),
        ]
    )
    full = _profile([RecordedFigure(**_fig("rate", 120, budget=100).model_dump())], "full")
    table = br.render_table(br.Record(profiles={"full": full, "short": short}))
    assert "| figure | short | full | unit | budget | noise |" in table
    assert "| rate | **80** | 120 | /s | ≥ 100 | 5 % / — |" in table
    assert "| p95 | 40.5 (CPU 3.25 ms) | — | /s | — | — / — |" in table
    assert "commit `abc1234`" in table
    assert "AMD EPYC, 2 cores" in table


def test_the_table_goes_between_the_markers_and_nothing_else_changes() -> None:
    readme = f"# Title\n\n{br.TABLE_START}\nold\n{br.TABLE_END}\n\nHistory\n"
    new = br.with_table(readme, "| new |\n")
    assert new == f"# Title\n\n{br.TABLE_START}\n| new |\n{br.TABLE_END}\n\nHistory\n"
    assert br.with_table(new, "| new |\n") == new
    with pytest.raises(ValueError, match="markers"):
        br.with_table("# no markers\n", "| new |\n")


def test_readme_table_is_generated_from_the_committed_record() -> None:
    assert br.table_is_current(), "run `edu bench table` and commit README.md"
