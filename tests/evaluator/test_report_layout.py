"""report.html content and figure geometry: identity first, aggregates, print layout, one
criterion per statistic, the bird's-eye framing, signal bands, the sweep heat map."""

import math
import re

import pytest

from evaluator import score_case
from evaluator.case import CaseResult
from evaluator.report.birdseye import MIN_ASPECT, VIEW_MARGIN_M, trajectory_figure, view_bounds
from evaluator.report.figures import draw_case_figures
from evaluator.report.html import render_html
from evaluator.report.sweep import sweep_axes, sweep_grid
from evaluator.report.timelines import (approached_lights, passed_lights, signal_runs,
                                        timeline_figure)
from testzone.world import SignalColor, SignalState

from evaluator_fixtures import FakeAreaNet, FakeSignal, make_recording, straight


def test_view_is_framed_on_the_boxes_with_margin_and_min_aspect():
    # ego 4.5 x 1.8 box from x = 0 to 20 (1 s at 20 m/s) at y = 0: corners x in [-2.25, 22.25],
    # y in [-0.9, 0.9]; + 10 m margin -> x [-12.25, 32.25] (44.5 m), y [-10.9, 10.9] (21.8 m),
    # 21.8 >= 44.5 / 3 = 14.83 so no widening.
    rec = make_recording({"ego": straight(0, 20.0)}, 1.0)
    assert view_bounds(rec) == pytest.approx((-12.25, -10.9, 32.25, 10.9))
    # 10 s: x in [-12.25, 212.25] (224.5 m); y span 21.8 < 224.5 / 3 = 74.83 -> y widened to
    # +-37.417 around 0.
    xmin, ymin, xmax, ymax = view_bounds(make_recording({"ego": straight(0, 20.0)}, 10.0))
    assert (xmin, xmax) == pytest.approx((-12.25, 212.25))
    assert ymax - ymin == pytest.approx(224.5 * MIN_ASPECT) and ymin == pytest.approx(-ymax)
    assert VIEW_MARGIN_M == 10.0


def test_trajectory_axes_equal_and_tight():
    rec = make_recording({"ego": straight(0, 20.0), "lead": straight(40, 10.0)}, 1.0)
    res = score_case(rec, FakeAreaNet())
    fig = trajectory_figure(rec, res, FakeAreaNet())
    ax = fig.axes[0]
    assert ax.get_aspect() == 1.0
    # lead corners x in [37.75, 52.25]; ego from -2.25: view x [-12.25, 62.25]
    assert ax.get_xlim() == pytest.approx((-12.25, 62.25))
    labels = ax.get_legend_handles_labels()[1]
    assert labels[:2] == ["ego", "lead"]


def test_speeding_interval_and_infractions_are_marked():
    # 12 m/s in a 10 m/s road for 1 s: every segment is speeding (orange overlay)
    rec = make_recording({"ego": straight(10, 12.0)}, 1.0)
    res = score_case(rec, FakeAreaNet(limit_mps=10.0))
    fig = trajectory_figure(rec, res, FakeAreaNet(limit_mps=10.0))
    assert "speeding" in fig.axes[0].get_legend_handles_labels()[1]


def test_signal_bands_and_passed_lights():
    # light s1 at s = 20 on road 1 ('+'): the ego's front (x + 2.25) passes 20 at x = 17.75
    # -> t = 0.875 (10 m/s from x = 9). Green until 0.5 s, red after.
    def sig(t):
        return {"s1": SignalState("s1", SignalColor.GREEN if t < 0.5 - 1e-9 else SignalColor.RED)}
    rec = make_recording({"ego": straight(9, 10.0)}, 1.5, signals=sig)
    net = FakeAreaNet(signals=[FakeSignal("s1", "1", 20.0)])
    passed = passed_lights(rec, net)
    assert [(p["signal_id"], p["color"]) for p in passed] == [("s1", "red")]
    assert passed[0]["t"] == pytest.approx(0.875)
    runs = signal_runs(rec, "s1")
    assert [r[2] for r in runs] == ["green", "red"]
    assert runs[0][0] == 0.0 and runs[0][1] == pytest.approx(0.5)
    assert runs[1][0] + runs[1][1] == pytest.approx(1.55)  # last frame 1.5 + dt
    fig = timeline_figure(rec, score_case(rec, net), net)
    assert len(fig.axes) == 5  # speed, acc, TTC/THW, distance, lights (no V2X row)
    assert fig.axes[4].get_yticklabels()[0].get_text() == "light s1"
    # new-user pass 10: a light no controller drives (no state in any frame) had a grey row
    dark = make_recording({"ego": straight(9, 10.0)}, 1.5)
    assert passed_lights(dark, net) == []
    assert len(timeline_figure(dark, score_case(dark, net), net).axes) == 4
    # regulator pass 13: a light the ego stopped at (never passed) had no row. The ego
    # stops at x = 25 (front 27.25 m); light s1 at s = 40 is 12.75 m ahead: drawn, no tick;
    # at s = 90 (62.75 m ahead, beyond 50 m) it is not
    for s_light, rows in ((40.0, 5), (90.0, 4)):
        net = FakeAreaNet(signals=[FakeSignal("s1", "1", s_light)])
        stops = make_recording({"ego": straight(0.0, 10.0, -2.0)}, 8.0, signals=sig)
        assert passed_lights(stops, net) == []
        assert approached_lights(stops, net) == (["s1"] if rows == 5 else [])
        fig = timeline_figure(stops, score_case(stops, net), net)
        assert len(fig.axes) == rows


def result(cid, score, verdict, **params):
    return CaseResult(cid, "sweep.xosc", verdict, score, family="sweep", parameters=params)


def test_sweep_grid_over_the_two_most_varied_parameters():
    # Speed takes 3 values, Gap 2, Mu 1 (not varied): axes (Speed, Gap); cell (20, 5) holds
    # scores 40 and 60 -> mean 50, one pass of two.
    rs = [result("a", 90, "pass", Speed=10, Gap=5, Mu=1),
          result("b", 40, "fail", Speed=20, Gap=5, Mu=1),
          result("c", 60, "pass", Speed=20, Gap=5, Mu=1),
          result("d", 0, "fail", Speed=30, Gap=10, Mu=1),
          result("e", 80, "pass", Speed=10, Gap=10, Mu=1)]
    assert sweep_axes(rs) == ("Speed", "Gap")
    xs, ys, score, passes, count = sweep_grid(rs, "Speed", "Gap")
    assert xs == ["10", "20", "30"] and ys == ["5", "10"]
    assert score[0, 1] == 50.0 and passes[0, 1] == 1 and count[0, 1] == 2
    assert math.isnan(score[1, 1]) and count[1, 1] == 0
    assert score[1, 2] == 0.0 and score[1, 0] == 80.0
    assert sweep_axes([result("a", 1, "pass", Speed=1)]) is None
    # fresh new-user pass 11: two distributions varying other parameters (Speed x Gap in one,
    # Decel alone in the other) gave the map Speed x Decel, which no case sets together: empty
    two = rs + [result("f", 50, "pass", Decel=2), result("g", 50, "pass", Decel=4)]
    assert sweep_axes(two) == ("Speed", "Gap")
    apart = [result("a", 1, "pass", Speed=1), result("b", 1, "pass", Speed=2),
             result("c", 1, "pass", Decel=2), result("d", 1, "pass", Decel=4)]
    assert sweep_axes(apart) == ("Decel", None)


def test_page_identity_first_aggregates_print_and_one_criterion_per_statistic():
    recs = {"a": make_recording({"ego": straight(0, 10.0)}, 1.0, case_id="a"),
            "b": make_recording({"ego": straight(0, 12.0)}, 1.0, case_id="b",
                                criteria=[{"id": "stay_on_road", "metric": "offroad_time_s",
                                           "rule": "==", "threshold": 0, "clause": "GB/T"}])}
    results = []
    for k, rec in recs.items():
        r = score_case(rec, FakeAreaNet())
        r.parameters = {"Speed": 10 if k == "a" else 12}
        r.family = "f"
        results.append(r)
    manifest = {"tool": "icv-testzone", "tool_version": "0.1.0", "seed": 3,
                "agent": {"spec": "idm"}, "inputs": {"x.xosc": "ab" * 32}}
    html = render_html(results, manifest,
                       lambda r: draw_case_figures(r, recs[r.case_id], FakeAreaNet()))
    body = html[html.index("<body>"):]
    assert body.index("Run identity") < body.index("Results") < body.index("Verdicts")
    # fresh new-user pass 11: the verdicts began below a 36-row table of input hashes; the
    # table closes the report, the identity says where it is
    assert body.index("Verdicts") < body.index("Input files") and "1 input files" in body
    assert "agent identity" in html and "test version 0" in html  # header agent name, version
    assert "ab" * 32 in html and "@media print" in html and "break-before: page" in html
    # fresh new-user pass 15: the base seed was read as every case's seed; the row says so
    seed_row = re.search(r"<th>seed</th><td>(.*?)</td>", html).group(1)
    assert "<code>3</code>" in seed_row and "each case&#39;s own seed" in seed_row
    # regulator pass 16: a run made from uncommitted code said so only inside a JSON cell
    dirty = render_html(results, {**manifest, "tool_identity": {
        "git_commit": "abc123", "git_dirty": True, "source_sha256": "ff"}},
        lambda r: draw_case_figures(r, recs[r.case_id], FakeAreaNet()))
    assert "<th>UNCOMMITTED</th>" in dirty and "git_commit abc123 alone" in dirty
    assert "<th>UNCOMMITTED</th>" not in html
    # no note beside a value that is not there (hostile pass 16)
    bare = render_html(results, {**manifest, "seed": None},
                       lambda r: draw_case_figures(r, recs[r.case_id], FakeAreaNet()))
    assert "each case&#39;s own seed" not in bare
    assert "Parameter sweep: score over Speed" in html
    assert html.count('src="data:image/png;base64,') == 2 * 2 + 1
    assert "Speed = 12" in html and "pass rate" in html
    for r in results:
        stats = [o.criterion.metric for o in r.criteria]
        assert len(stats) == len(set(stats))
    ids_b = [o.criterion.id for o in results[1].criteria]
    assert "stay_on_road" in ids_b and "on_road" not in ids_b
    assert not re.search(r"<(script|link)\b", html)
    # regulator pass 13: the source column read as if the standard set every threshold; each
    # row now says who set it (case b declares stay_on_road; the rest are defaults)
    rows = re.findall(r"<td>stay_on_road</td>.*?</tr>", html, re.S)
    declared = ["the test case (its catalogue entry or scenario)" in r for r in rows]
    assert declared[-1] and not declared[0]            # case b: its own; case a: the default
    assert "GB/T" in rows[-1]
    row = re.search(r"<td>no_collision</td>.*?</tr>", html, re.S).group(0)
    assert "icv-testzone default (docs/evaluator.md)" in row


def test_agent_identity_reads_as_name_and_version():
    # observed: "idm 2" (an unexplained 2), and "(spec scenario)" with no name
    from evaluator.report.html import _agents
    assert _agents([{"name": "idm", "version": "2", "spec": "idm"}]) == "idm version 2"
    assert _agents([{"spec": "scenario"}]) == "scenario"
    assert _agents([{"name": "my-stack", "version": "2.1", "spec": "x.py:Stack"}]) == \
        "x.py:Stack (reports itself as my-stack version 2.1)"
    # regulator pass 13: a third-party stack calling itself idm was shown as "idm version 0.1"
    assert _agents([{"name": "idm", "version": "0.1", "spec": "/tmp/bad_stack.py:BadStack"}]) \
        == "/tmp/bad_stack.py:BadStack (reports itself as idm version 0.1)"


def test_the_birdseye_view_draws_the_stop_line_of_the_egos_light():
    """The regulator saw a red-light crossing with no stop line to judge it by (known gap of
    session 10). Wuhan section 1: road 1 runs along +x from x = -1000 (s = x + 1000); light
    1001 stands at s = 972 ('+'), so across lane -1 (3.5 m wide, right of the reference line)
    at x = -28 from y = 0 to y = -3.5."""
    from pathlib import Path

    from matplotlib.collections import LineCollection

    import maps
    from testzone.world import LaneCoord, Pose
    net = maps.load_opendrive(Path(__file__).resolve().parents[2] / "maps" / "wuhan"
                              / "wuhan_section1.xodr")

    def ego(t):
        x = -100.0 + 10.0 * t
        return {"pose": Pose(x, -1.75, 0.0, 0.0), "speed": 10.0, "acceleration": 0.0,
                "lane": LaneCoord("1", -1, x + 1000.0, -1.75, 0.0)}
    rec = make_recording({"ego": ego}, 5.0)
    fig = trajectory_figure(rec, score_case(rec, net), net)
    (lines,) = [c for c in fig.axes[0].collections if isinstance(c, LineCollection)
                and c.get_label() == "stop line (traffic light)"]
    (seg,) = lines.get_segments()
    assert seg.tolist() == [pytest.approx([-28.0, 0.0]), pytest.approx([-28.0, -3.5])]


def test_timeline_axes_start_at_zero_so_noise_looks_like_noise():
    """Regulator pass 13: a 0.004 m/s dip at 16.66 m/s filled the speed axis (autoscaled to
    16.662-16.666), and "nearest object" with nothing within 100 m was a flat line mid-axis
    (95-105)."""
    dip = lambda t: {"pose": straight(0, 16.664)(t)["pose"],
                     "speed": 16.664 - (0.004 if 1.0 < t < 1.5 else 0.0)}
    rec = make_recording({"ego": dip}, 3.0)
    fig = timeline_figure(rec, score_case(rec, FakeAreaNet()), FakeAreaNet())
    speed, _, times, dist = fig.axes[:4]
    assert speed.get_ylim()[0] == 0.0         # verify pass 13: a constant speed drawn on
    assert speed.get_ylim()[1] == pytest.approx(16.664 * 1.08)   # the frame was not seen
    assert times.get_ylim() == pytest.approx((0.0, 10.5))
    assert dist.get_ylim() == pytest.approx((0.0, 105.0))
    assert dist.get_ylabel() == "distance [m]"        # hostile pass 13c: long labels met
    assert dist.get_legend().get_texts()[0].get_text() == "nearest object (cap 100 m)"


def test_the_ttc_panel_draws_the_cases_own_bound_labelled():
    """Regulator pass 16: the TTC panel had an unlabelled line at 1.5 s in a case whose
    ttc_min criterion is 1 s. The line is the case's criterion, in the legend."""
    from evaluator.criteria import Criterion, CriterionOutcome
    from evaluator.report.timelines import timeline_figure, ttc_bound
    rec = make_recording({"ego": straight(0, 10.0), "lead": straight(30, 5.0)}, 2.0)
    res = score_case(rec, FakeAreaNet())
    own = CriterionOutcome(Criterion("ttc_min", "ttc_min_s", ">=", 1.0, "s", "x", True), 2.0,
                           "pass")
    res.criteria = [own, *res.criteria]
    assert ttc_bound(res) == 1.0
    fig = timeline_figure(rec, res, FakeAreaNet())
    labels = [t.get_text() for ax in fig.axes if ax.get_legend()
              for t in ax.get_legend().get_texts()]
    assert "TTC bound of this case (1 s)" in labels
    res.criteria = [o for o in res.criteria if o.criterion.metric != "ttc_min_s"]
    assert ttc_bound(res) is None
