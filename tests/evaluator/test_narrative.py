"""The report's "What happened" sentences (evaluator.report.narrative)."""

import pytest

from evaluator.case import CaseResult
from evaluator.report.narrative import narrative

CASE = {
    "case_id": "c", "verdict": "fail", "score": 0.0,
    "criteria": [{"id": "no_collision", "metric": "collision_count", "rule": "==",
                  "threshold": 0, "unit": "count", "clause": "GB/T 41798-2022",
                  "measured": 1.0, "status": "fail"}],
    "metrics": {"v2x_response_time_s": {"unit": "s", "value": 0.75},
                "run_duration_s": {"unit": "s", "value": 30.0}},
    "findings": {
        "collisions": [{"t": 21.35, "other": "Hazard", "kind": "stopped_object",
                        "edge": "front", "rel_speed_mps": 16.6666667, "at_fault": True}],
        "red_light": [{"t": 14.18, "signal_id": "10351", "road_id": "30", "s": 512.0,
                       "speed_mps": 10.0}],
        "v2x_response": [{"t": 11.15, "msg_type": "RSI", "rsu_id": "RSU-J5-3",
                          "sent_t": 11.1, "latency_s": 0.02, "reaction_decel_mps2": 1.0}],
        "pet": [{"other": "Ped", "x": 256.0, "y": -855.0, "pet_s": 0.0,
                 "area": "crosswalk:7"}],
        "run_end": [{"end_reason": "stop_trigger", "message": ""}]},
}


def test_findings_in_time_order_then_the_end_and_the_failed_criteria():
    lines = narrative(CaseResult.from_dict(CASE))
    assert lines == [
        # fresh pass 12: "received ... it began to brake" read as idm (no V2X) reacting
        "At 11.15 s the bridge delivered to the ego the first message that called for "
        "action: RSI from RSU-J5-3 (sent 11.10 s, latency 0.020 s); it began to brake (by at "
        "least 1.0 m/s\u00b2) 0.75 s later (whether because of the message, the evaluator "
        "cannot tell: a stack without V2X brakes for what it sees). This case has no "
        "criterion on the reaction to V2X: its verdict says nothing of how the vehicle used "
        "the message.",
        "At 14.18 s the ego passed signal 10351 (road 30, s = 512.0 m) at red, at 10.00 m/s "
        "(36 km/h).",
        "At 21.35 s the ego's front touched Hazard (a standing object) at a relative speed of "
        "16.67 m/s (60 km/h); at fault.",
        # new-user pass 9: "passed the point" read as a point; it is the crosswalk's area
        # new-section pass 12: "passed ... 0.00 s apart" read as a near hit, the pedestrian
        # 5.8 m away on a wide crosswalk
        "Closest encroachment: Ped and the ego were on the conflict area crosswalk:7 (near "
        "(256.0, -855.0) m) at the same time (PET 0 s; the whole crosswalk counts, not where "
        "on it each was).",
        "The run ended by its StopTrigger after 30.00 s.",
        "Failed no_collision: collision_count measured 1 count, required == 0 count "
        "(GB/T 41798-2022).",
        # verify pass 13: an edited copy of a catalogue case lost its own criteria unsaid
        "The case declares no criteria of its own (no entry in the test-case catalogue, no "
        "criterion: Property): it is judged by the tool's default criteria alone.",
    ]
    declared = dict(CASE, criteria=[dict(CASE["criteria"][0], declared=True)])
    assert not any("declares no criteria" in ln
                   for ln in narrative(CaseResult.from_dict(declared)))


def test_the_v2x_sentence_says_when_the_reaction_is_judged_and_when_not():
    """Regulator pass 13: idm (no V2X) passed 22 of the 26 Day-1 cases; 24 of them judge no
    reaction to V2X, and nothing said so."""
    judged = dict(CASE, criteria=CASE["criteria"] + [
        {"id": "v2x_response", "metric": "v2x_response_time_s", "rule": "<=",
         "threshold": 2.5, "unit": "s", "clause": "T/CSAE 53-2020", "measured": 0.75,
         "status": "pass"}])
    first = narrative(CaseResult.from_dict(judged))[0]
    assert first.endswith("brakes for what it sees).")
    assert narrative(CaseResult.from_dict(CASE))[0].endswith(
        "its verdict says nothing of how the vehicle used the message.")


def test_a_case_without_findings_says_only_how_it_ended():
    case = {"case_id": "c", "verdict": "pass", "score": 100.0,
            "findings": {"run_end": [{"end_reason": "timeout"}]}}
    assert narrative(CaseResult.from_dict(case)) == ["The run ended by the time limit."]


def test_long_event_lists_show_their_first_ten_names_then_dots():
    names = [f"S::A::G::M::E{i}" for i in range(12)]
    case = {"case_id": "c", "verdict": "pass", "score": 100.0,
            "findings": {"run_end": [{"end_reason": "timeout", "never_started": names,
                                      "storyboard_events": 20}]}}
    assert narrative(CaseResult.from_dict(case))[1] == (
        "12 of 20 storyboard Events never started, so what they do did not happen in this "
        "run: S::A::G::M::E0, S::A::G::M::E1, S::A::G::M::E2, S::A::G::M::E3, "
        "S::A::G::M::E4, S::A::G::M::E5, S::A::G::M::E6, S::A::G::M::E7, S::A::G::M::E8, "
        "S::A::G::M::E9 ....")


def test_a_failed_ttc_names_what_it_was_measured_against():
    """New-user pass 11: "ttc_min measured 1.379 s" named neither the entity ahead nor the
    moment. Ego from x = 0 at 20 m/s, lead from x = 50 at 10 m/s, 4.5 m boxes: the gap is
    45.5 - 10 t m, least at the end (t = 2 s): 25.5 m, TTC 25.5 / 10 = 2.55 s, THW 25.5 / 20
    = 1.275 s. A TTC criterion of 3 s fails and is explained; THW, not failed, is only in the
    findings."""
    from evaluator import score_case
    from evaluator_fixtures import FakeNet, make_recording, straight
    rec = make_recording({"ego": straight(0, 20.0), "lead": straight(50, 10.0)}, 2.0,
                         criteria=[{"id": "ttc", "metric": "ttc_min_s", "rule": ">=",
                                    "threshold": 3.0, "clause": "test"}])
    res = score_case(rec, FakeNet())
    found = {h["statistic"]: h for h in res.findings["headway"]}
    assert found["thw_min_s"]["t"] == 2.0 and found["thw_min_s"]["other"] == "lead"
    assert abs(found["thw_min_s"]["value_s"] - 1.275) < 1e-9
    assert abs(found["ttc_min_s"]["gap_m"] - 25.5) < 1e-9
    lines = narrative(res)
    assert ("At 2.00 s the time to collision to lead ahead was lowest: 2.55 s, at a gap of "
            "25.5 m, closing at 10.00 m/s (36 km/h).") in lines
    assert not any("time headway" in ln for ln in lines)


def test_a_failed_ttc_against_a_crossing_user_says_so():
    """A car crossing towards the ego's side (tests/evaluator/test_headway.py: contact at
    5.17 s, TTC 5.17 - t): over a 4 s recording the least is 1.17 s at its end; a 3 s
    criterion fails, and the sentence names the crossing user, not a gap ahead."""
    import math

    from evaluator import score_case
    from evaluator_fixtures import make_recording, straight
    from testzone.world import Pose

    def crossing(t):
        return {"pose": Pose(50.0, -29.0 + 5.0 * t, 0.0, math.pi / 2), "speed": 5.0}
    rec = make_recording({"ego": straight(0, 10.0), "car": crossing}, 4.0,
                         criteria=[{"id": "ttc", "metric": "ttc_min_s", "rule": ">=",
                                    "threshold": 3.0, "clause": "test"}])
    res = score_case(rec)
    lines = narrative(res)
    assert ("At 4.00 s the time to collision to car, crossing the ego's path, was lowest: "
            "1.17 s (both keeping their speed and heading), the ego at 10.00 m/s (36 km/h)."
            ) in lines


def test_the_closest_approach_and_lane_departures_are_told():
    """Fresh new-user pass 11: the idm ego passed the stationary car by changing lane twice,
    1.65 m from it, and "What happened" said only how the run ended."""
    case = {"case_id": "c", "verdict": "pass", "score": 100.0,
            "metrics": {"lane_departure_count": {"unit": "count", "value": 2.0}},
            "findings": {"proximity": [{"t": 9.2, "other": "Stopped", "distance_m": 1.65}],
                         "run_end": [{"end_reason": "stop_trigger"}]}}
    assert narrative(CaseResult.from_dict(case)) == [
        "At 9.20 s the ego came closest to any other road user: 1.65 m from Stopped (box to "
        "box).",
        "The ego left its lane 2 time(s) (lane changes included: the evaluator does not know "
        "which were intended).",
        "The run ended by its StopTrigger."]


def test_a_route_departure_is_told():
    """New-section pass 12: an ego that went straight instead of turning left along its
    route passed, and "What happened" said only that it left its lane."""
    case = {**CASE, "findings": {"route": [{"t": 12.05, "road_id": "2",
                                            "route": ["1", "103", "4"]}]}}
    assert narrative(CaseResult.from_dict(case))[0] == (
        "At 12.05 s the ego left its route: it was on road 2, not on the planned roads "
        "1 -> 103 -> 4.")


def test_an_occupied_crosswalk_entry_is_told():
    """New-section pass 12: idm crossed an occupied crosswalk at 16.6 m/s and "What
    happened" did not say so."""
    case = {**CASE, "findings": {"crosswalk": [
        {"t": 12.45, "crosswalk": "crosswalk:E", "other": "Ped", "lateral_m": 4.09,
         "speed_mps": 16.627}]}}
    assert narrative(CaseResult.from_dict(case))[0] == (
        "At 12.45 s the ego drove onto crosswalk:E at 16.63 m/s (60 km/h) while Ped was "
        "crossing on it, 4.1 m from the ego's path.")


def test_standing_without_cause_is_told():
    """New-section pass 12: an ego stood 15 s behind a barrier in the next lane and "What
    happened" did not say so."""
    case = {**CASE, "findings": {},
            "metrics": {**CASE["metrics"],
                        "standstill_without_cause_s": {"unit": "s", "value": 15.2}}}
    assert ("The ego stood still for 15.20 s in all with no road user in its way and no "
            "light that was not green ahead (no_stall allows 5 s).") in \
        narrative(CaseResult.from_dict(case))


def test_the_closest_encroachment_says_when_and_who_passed_first():
    """Regulator pass 13: "Runner and the ego passed (286.7, -863.7) 0.35 s apart" gave
    neither the time nor the order."""
    case = {"case_id": "c", "verdict": "fail", "score": 50.0, "findings": {"pet": [
        {"other": "Runner", "x": 286.7, "y": -863.7, "pet_s": 0.35, "area": None, "t": 12.4,
         "first": "Runner"}]}}
    assert narrative(CaseResult.from_dict(case)) == [
        "Closest encroachment: Runner and the ego passed the point (286.7, -863.7) m 0.35 s "
        "apart (PET, Runner first; the second arrived at 12.40 s)."]


def test_the_v2x_sentence_quotes_what_an_rsi_said():
    """Regulator pass 13: tz_ivs_sign failed "RSI ... it did not brake"; that the RSI said
    event 901, a school zone at 30 km/h, was only in the recording's payload hex."""
    v2x = dict(CASE["findings"]["v2x_response"][0], rte=[
        {"event_type": 901, "priority": 6, "radius_m": 30.0,
         "description": "school zone 30 km/h"}])
    case = dict(CASE, findings={"v2x_response": [v2x]})
    first = narrative(CaseResult.from_dict(case))[0]
    assert "(sent 11.10 s, latency 0.020 s), saying: event type 901 'school zone 30 km/h' " \
           "(priority 6, radius 30 m); it began to brake" in first


def test_the_v2x_sentence_names_the_red_light_a_spat_was_about():
    v2x = {"t": 5.9, "msg_type": "SPAT", "rsu_id": "RSU-J5-3", "sent_t": 5.85,
           "latency_s": 0.02, "reaction_decel_mps2": 1.0,
           "red_light": {"signal_id": "10351", "distance_m": 45.25, "time_to_change_s": 12.3}}
    case = dict(CASE, findings={"v2x_response": [v2x]})
    assert "(sent 5.85 s, latency 0.020 s), while signal 10351 was red 45.2 m ahead of the " \
           "ego's front, changing in 12.3 s; it began to brake" in \
        narrative(CaseResult.from_dict(case))[0]


def test_a_failed_comfort_criterion_says_when_and_where():
    """Regulator pass 13: smooth_stop failed on a random 8 m/s^2 brake 100 m before the light
    and the report gave no time. Braking from 10 m/s at 2 m/s^2 from t = 1 s: the smoothed
    peak deceleration is 2 m/s^2, first reached in the braking (a criterion <= 1.5 fails)."""
    from evaluator import score_case
    from evaluator_fixtures import make_recording
    from testzone.world import Pose
    def brake(t):
        v = 10.0 if t < 1.0 else max(0.0, 10.0 - 2.0 * (t - 1.0))
        x = 10.0 * t if t < 1.0 else 10.0 + 10.0 * (t - 1.0) - (t - 1.0) ** 2
        return {"pose": Pose(min(x, 35.0), 0.0, 0.0, 0.0), "speed": v}
    rec = make_recording({"ego": brake}, 6.0, criteria=[
        {"id": "smooth_stop", "metric": "decel_peak_mps2", "rule": "<=", "threshold": 1.5,
         "clause": "test"}])
    res = score_case(rec, None)
    peak = next(p for p in res.findings["comfort"] if p["statistic"] == "decel_peak_mps2")
    assert 1.2 <= peak["t"] <= 5.8          # inside the braking, clear of its 0.4 s edges
    assert peak["x"] == pytest.approx(brake(peak["t"])["pose"].x)      # where the hand
    assert peak["speed_mps"] == pytest.approx(brake(peak["t"])["speed"])  # trajectory is
    line = next(ln for ln in narrative(res) if ln.startswith("Failed smooth_stop"))
    assert f" at {peak['t']:.2f} s, at ({peak['x']:.1f}, 0.0) m, " in line


def test_a_case_with_v2x_but_nothing_actionable_says_the_reaction_is_not_judged():
    """Verify pass 13: tz_emergency_vehicle (warnings by BSM, none actionable by the
    evaluator's rules) said nothing of V2X at all."""
    case = {"case_id": "c", "verdict": "pass", "score": 100.0,
            "metrics": {"v2x_delivered_count": {"unit": "count", "value": 200.0}},
            "findings": {"run_end": [{"end_reason": "stop_trigger"}]}}
    assert narrative(CaseResult.from_dict(case))[0] == (
        "The bridge delivered 200 V2X message(s) to the ego; none called for action by the "
        "evaluator's rules, and this case has no criterion on the reaction to V2X: its "
        "verdict says nothing of how the vehicle used them.")


def test_a_collision_kind_reads_as_who_ran_into_whom():
    """Fresh pass 16: "the ego's front touched OverTaker (front)" read as OverTaker's front,
    where the ego had run into its rear."""
    from evaluator.case import CaseResult
    from evaluator.report.narrative import narrative
    res = CaseResult("c", "c.xosc", "fail", 0.0, findings={"collisions": [
        {"t": 12.7, "other": "OverTaker", "edge": "front", "kind": "front",
         "rel_speed_mps": 5.0, "at_fault": True}]})
    assert narrative(res)[0] == ("At 12.70 s the ego's front touched OverTaker (the ego ran into "
                                 "it) at a relative speed of 5.00 m/s (18 km/h); at fault.")
