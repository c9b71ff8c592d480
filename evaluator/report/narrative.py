"""What happened in a case, in sentences: the account a regulator reads before the plots.

Built only from a :class:`evaluator.case.CaseResult` (its findings, metrics and failed
criteria), so a report rebuilt from ``summary.json`` or ``result.json`` tells the same story.
Times in seconds of simulation time, speeds in m/s (and km/h), as in the metrics.
"""

from __future__ import annotations

import math
from typing import Any

from evaluator.case import CaseResult
from evaluator.criteria import default_criteria


def _num(value: Any, digits: int = 2) -> str:
    """A finite number with ``digits`` decimals, else its text (``inf``)."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{v:.{digits}f}" if math.isfinite(v) else str(v)


def _short(value: Any) -> str:
    """Four significant digits (``1``, ``0.3456``, ``16.67``), or the text (``inf``)."""
    try:
        return f"{float(value):.4g}"
    except (TypeError, ValueError):
        return str(value)


def _first_names(names: list, shown: int = 10) -> str:
    """The first ``shown`` names joined by commas, `` ...`` after them when there are more."""
    return ", ".join(map(str, names[:shown])) + (" ..." if len(names) > shown else "")


def _speed(value: Any) -> str:
    """``12.50 m/s (45 km/h)``."""
    try:
        return f"{float(value):.2f} m/s ({float(value) * 3.6:.0f} km/h)"
    except (TypeError, ValueError):
        return str(value)


def _never_started_note(never: list, end: dict) -> str:
    """Events whose StartTrigger never fired (``run_end.never_started``)."""
    total = end.get("storyboard_events")
    of = f" of {total}" if isinstance(total, int) else ""
    return (f"{len(never)}{of} storyboard Events never started, so what they do "
            f"did not happen in this run: {_first_names(never)}.")


def _before_light_note(light: dict, end: dict) -> str:
    """The ego still moving towards a red stop line at the end (``run_end.ego_before_light``)."""
    return (f"The run ended with the ego {_num(light.get('distance_m'), 1)} m "
            f"before the stop line of signal {light.get('signal_id')}, which was "
            f"red, still moving at {_speed(light.get('speed_mps'))}: the run did "
            f"not show whether it would have stopped there.")


def _timed_after_end_note(after: list, end: dict) -> str:
    """Events timed at/after the latest possible end (``run_end.timed_after_end``)."""
    one = len(after) == 1
    return (f"{len(after)} storyboard {'Event is' if one else 'Events are'} timed "
            f"(SimulationTime) at or after the latest this run could end (the "
            f"earlier of the StopTrigger's own time and the time limit), so "
            f"{'it was' if one else 'they were'} never to start in "
            f"it; not counted as never started: {_first_names(after)}.")


def _ignored_commands_note(ignored: list, end: dict) -> str:
    """CustomCommandAction types nothing here takes (``run_end.ignored_commands``)."""
    return (f"CustomCommandActions of type {', '.join(map(repr, ignored[:10]))} "
            f"were not carried out: no part of this platform takes that type "
            f"(types are matched exactly), so what they ask did not happen in "
            f"this run.")


# (run_end key, value type, sentence): the notes What happened adds after how the run ended,
# in this order, each only when its value is present and non-empty.
_RUN_END_NOTES = (("never_started", list, _never_started_note),
                  ("ego_before_light", dict, _before_light_note),
                  ("timed_after_end", list, _timed_after_end_note),
                  ("ignored_commands", list, _ignored_commands_note))


def _metric(res: CaseResult, name: str) -> float | None:
    st = res.metrics.get(name)
    return None if st is None or st.value is None else float(st.value)


def _rsi_said(rte: Any) -> str:
    """``", saying: event type 901 'school zone, 30 km/h' (priority 6, radius 30 m)"`` for the
    RSI events a delivery carried (regulator pass 13: what the vehicle was told was only in
    the payload's hex), "" without them."""
    if not isinstance(rte, list) or not rte:
        return ""
    parts = []
    for ev in rte[:3]:
        if not isinstance(ev, dict):
            continue
        text = f"event type {ev.get('event_type')}"
        if ev.get("description"):
            text += f" '{ev['description']}'"
        extra = [f"priority {ev['priority']}"] if ev.get("priority") is not None else []
        if isinstance(ev.get("radius_m"), (int, float)):
            extra.append(f"radius {_num(ev['radius_m'], 0)} m")
        parts.append(text + (f" ({', '.join(extra)})" if extra else ""))
    return f", saying: {'; '.join(parts)}" if parts else ""


def _red_light(light: Any) -> str:
    """``", while signal 10351 was red 45.2 m ahead (changing in 12.3 s)"`` for the light a
    SPAT was about, "" without one."""
    if not isinstance(light, dict) or light.get("signal_id") is None:
        return ""
    change = light.get("time_to_change_s")
    when = (f", changing in {_num(change, 1)} s" if isinstance(change, (int, float))
            else ", no change known")
    return (f", while signal {light['signal_id']} was red {_num(light.get('distance_m'), 1)} m "
            f"ahead of the ego's front{when}")


COLLISION_KINDS = {
    "front": "the ego ran into it", "rear_ended": "it ran into the ego from behind",
    "lateral": "from the side", "stopped_object": "a standing object",
    "ego_stopped": "the ego standing", "at_start": "overlapping from the start"}
"""How a collision's ``kind`` (:class:`evaluator.metrics.collisions.Collision`) reads in
the narrative (fresh pass 16: "touched OverTaker (front)" read as the OverTaker's front)."""


def narrative(res: CaseResult) -> list[str]:
    """Sentences, in time order where they have a time: collisions, red lights passed,
    wrong-way driving, the closest approach to another road user (without a collision), the
    lane departures, the lowest TTC or THW with the entity ahead when a criterion on it
    failed, the first actionable V2X message and the reaction to it, a stop at a
    dead end by the scenario's default controller, the closest post-encroachment, how the run
    ended, the storyboard Events that never started and the CustomCommandAction types not
    carried out, then each failed criterion with its
    margin and each of the case's own (declared)
    criteria that was not applicable.
    Empty for a case that errored before it ran (its error says why)."""
    timed: list[tuple[float, str]] = []
    f = res.findings
    for c in f.get("collisions", []):
        fault = "at fault" if c.get("at_fault") else "not at fault"
        kind = COLLISION_KINDS.get(str(c.get("kind", "")),
                                   str(c.get("kind", "")).replace("_", " "))
        timed.append((float(c.get("t", 0.0)),
                      f"At {_num(c.get('t'))} s the ego's {c.get('edge', '')} touched "
                      f"{c.get('other')} ({kind}) at a relative speed of "
                      f"{_speed(c.get('rel_speed_mps'))}; {fault}."))
    for r in f.get("red_light", []):
        timed.append((float(r.get("t", 0.0)),
                      f"At {_num(r.get('t'))} s the ego passed signal {r.get('signal_id')} "
                      f"(road {r.get('road_id')}, s = {_num(r.get('s'), 1)} m) at red, at "
                      f"{_speed(r.get('speed_mps'))}."))
    for w in f.get("wrong_way", []):
        timed.append((float(w.get("t", 0.0)),
                      f"From {_num(w.get('t'))} s the ego drove against the direction of lane "
                      f"{w.get('lane_id')} of road {w.get('road_id')} for "
                      f"{_num(w.get('duration_s'))} s."))
    for c in f.get("crosswalk", []):
        if isinstance(c, dict):
            timed.append((float(c.get("t") or 0.0),
                          f"At {_num(c.get('t'))} s the ego drove onto {c.get('crosswalk')} at "
                          f"{_speed(c.get('speed_mps'))} while {c.get('other')} was crossing "
                          f"on it, {_num(c.get('lateral_m'), 1)} m from the ego's path."))
    for d in f.get("route", []):
        if isinstance(d, dict):
            planned = " -> ".join(str(r) for r in d.get("route") or ())
            timed.append((float(d.get("t") or 0.0),
                          f"At {_num(d.get('t'))} s the ego left its route: it was on road "
                          f"{d.get('road_id')}, not on the planned roads {planned}."))
    for v in f.get("v2x_response", [])[:1]:
        resp = _metric(res, "v2x_response_time_s")
        hard = v.get("reaction_decel_mps2")
        by = f" (by at least {_num(hard, 1)} m/s\u00b2)" if isinstance(hard, (int, float)) else ""
        after = (f"it did not brake afterwards{by}" if resp is None or not math.isfinite(resp)
                 else f"it began to brake{by} {_num(resp)} s later (whether because of the "
                      f"message, the evaluator cannot tell: a stack without V2X brakes for "
                      f"what it sees)")
        judged = any(o.criterion.metric == "v2x_response_time_s" for o in res.criteria)
        unjudged = ("" if judged else
                    " This case has no criterion on the reaction to V2X: its verdict says "
                    "nothing of how the vehicle used the message.")
        timed.append((float(v.get("t", 0.0)),
                      f"At {_num(v.get('t'))} s the bridge delivered to the ego the first "
                      f"message that "
                      f"called for action: {v.get('msg_type')} from {v.get('rsu_id')} "
                      f"(sent {_num(v.get('sent_t'))} s, latency {_num(v.get('latency_s'), 3)} "
                      f"s){_rsi_said(v.get('rte'))}{_red_light(v.get('red_light'))}; "
                      f"{after}.{unjudged}"))
    sent = _metric(res, "v2x_delivered_count")
    if not f.get("v2x_response") and sent and not any(
            o.criterion.metric == "v2x_response_time_s" for o in res.criteria):
        timed.append((math.inf, f"The bridge delivered {int(sent)} V2X message(s) to the ego; "
                                f"none called for action by the evaluator's rules, and this "
                                f"case has no criterion on the reaction to V2X: its verdict "
                                f"says nothing of how the vehicle used them."))
    failed_on = {o.criterion.metric for o in res.failed}
    for h in f.get("headway", []):
        if not isinstance(h, dict) or h.get("statistic") not in failed_on:
            continue
        what = {"ttc_min_s": "time to collision", "thw_min_s": "time headway"}.get(
            str(h.get("statistic")))
        if what is None:
            continue
        if h.get("crossing"):
            timed.append((float(h.get("t") or 0.0),
                          f"At {_num(h.get('t'))} s the {what} to {h.get('other')}, crossing "
                          f"the ego's path, was lowest: {_num(h.get('value_s'))} s (both "
                          f"keeping their speed and heading), the ego at "
                          f"{_speed(h.get('ego_speed_mps'))}."))
            continue
        closing = (f", closing at {_speed(h.get('closing_mps'))}"
                   if h.get("statistic") == "ttc_min_s" else
                   f", at {_speed(h.get('ego_speed_mps'))}")
        timed.append((float(h.get("t") or 0.0),
                      f"At {_num(h.get('t'))} s the {what} to {h.get('other')} ahead was "
                      f"lowest: {_num(h.get('value_s'))} s, at a gap of "
                      f"{_num(h.get('gap_m'), 1)} m{closing}."))
    for p in f.get("comfort", []):   # an emergency stop at the vehicle's limit
        if isinstance(p, dict) and p.get("full_braking_limit_mps2"):
            timed.append((float(p.get("t") or 0.0),
                          f"At {_num(p.get('t'))} s the ego braked at its full capability, "
                          f"{_num(_metric(res, 'decel_peak_mps2'), 1)} m/s^2 (its Performance "
                          f"maxDeceleration: {_num(p.get('full_braking_limit_mps2'), 1)} "
                          f"m/s^2), from {_speed(p.get('speed_mps'))}: the simulated vehicle "
                          f"cannot brake harder, so a deceleration criterion at that limit "
                          f"cannot fail."))
    for p in f.get("proximity", [])[:1]:   # how near it came, whatever the criteria say
        if isinstance(p, dict) and p.get("distance_m") is not None and not f.get("collisions"):
            timed.append((float(p.get("t") or 0.0),
                          f"At {_num(p.get('t'))} s the ego came closest to any other road "
                          f"user: {_num(p.get('distance_m'))} m from {p.get('other')} "
                          f"(box to box)."))
    stood = _metric(res, "standstill_without_cause_s")
    if isinstance(stood, (int, float)) and stood >= 1.0:
        bound = next((o.criterion.threshold for o in res.criteria      # the case's own,
                      if o.criterion.metric == "standstill_without_cause_s"),  # else the
                     next(c.threshold for c in default_criteria()            # default
                          if c.metric == "standstill_without_cause_s"))
        allows = f" (no_stall allows {_num(bound, 0)} s)"
        timed.append((math.inf, f"The ego stood still for {_num(stood)} s in all with no road "
                                f"user in its way and no light that was not green ahead"
                                f"{allows}."))
    changes = _metric(res, "lane_departure_count")
    if changes:
        timed.append((math.inf, f"The ego left its lane {int(changes)} time(s) (lane changes "
                                f"included: the evaluator does not know which were "
                                f"intended)."))
    pets = [p for p in f.get("pet", []) if p.get("pet_s") is not None]
    if pets:
        p = min(pets, key=lambda e: float(e["pet_s"]))
        near = f"({_num(p.get('x'), 1)}, {_num(p.get('y'), 1)}) m"
        where = (f"the ground where their boxes overlapped (near {near})"
                 if p.get("area") == "contact" else
                 f"the conflict area {p.get('area')} (near {near})" if p.get("area") else
                 f"the point {near}")
        at_once = float(p["pet_s"]) == 0.0 and str(p.get("area") or "").startswith(
            "crosswalk:")
        # regulator pass 13: the sentence said neither when nor who passed first
        t = p.get("t") if isinstance(p.get("t"), (int, float)) else None
        when = f"at {_num(t)} s " if t is not None else ""
        first = p.get("first")
        order = ("" if not first else
                 f", {p.get('other')} first" if first == p.get("other") else ", the ego first")
        timed.append((math.inf if t is None else float(t),
                      f"Closest encroachment: {p.get('other')} and the ego were on {where} "
                      f"{when}at the same time (PET 0 s; the whole crosswalk counts, not "
                      f"where on it each was)." if at_once else
                      f"Closest encroachment: {p.get('other')} and the ego passed {where} "
                      f"{_num(p.get('pet_s'))} s apart (PET{order}"
                      f"{'; the second arrived ' + when.strip() if when else ''})."))
    for end in f.get("run_end", [])[:1]:
        stop = end.get("ego_road_end")
        if isinstance(stop, dict):
            timed.append((float(stop.get("t") or 0.0),
                          f"At {_num(stop.get('t'))} s the ego reached the end of lane "
                          f"{stop.get('lane_id')} of road {stop.get('road_id')} (s = "
                          f"{_num(stop.get('s'), 1)} m), which leads nowhere, and was stopped "
                          f"there from {_speed(stop.get('speed_mps'))} in one step by the "
                          f"scenario's default controller, as esmini's does; the case is "
                          f"judged up to that moment."))
    lines = [text for _, text in sorted(timed, key=lambda item: item[0])]
    for end in f.get("run_end", [])[:1]:
        reason = {"stop_trigger": "its StopTrigger", "timeout": "the time limit"}.get(
            str(end.get("end_reason")), str(end.get("end_reason")))
        dur = None if end.get("ego_road_end") else _metric(res, "run_duration_s")
        lines.append(f"The run ended by {reason}" + (f" after {_num(dur)} s" if dur else "")
                     + ".")
        for key, kind, say in _RUN_END_NOTES:
            value = end.get(key)
            if isinstance(value, kind) and value:
                lines.append(say(value, end))
    peaks = {p.get("statistic"): p for p in (*f.get("comfort", []), *f.get("progress", []))
             if isinstance(p, dict)}
    for o in res.failed:
        crit = o.criterion
        p = peaks.get(crit.metric)
        where = (f" at {_num(p.get('t'))} s, at ({_num(p.get('x'), 1)}, {_num(p.get('y'), 1)}) m, "
                 f"{_speed(p.get('speed_mps'))}" if p else "")
        lines.append(f"Failed {crit.id}: {crit.metric} measured {_short(o.measured)} "
                     f"{crit.unit}{where}, required {crit.rule} {_short(crit.threshold)} "
                     f"{crit.unit} ({crit.clause}).")
    if res.criteria and not any(o.criterion.declared for o in res.criteria):
        lines.append("The case declares no criteria of its own (no entry in the test-case "
                     "catalogue, no criterion: Property): it is judged by the tool's default "
                     "criteria alone.")   # verify pass 13: an edited copy lost its v2x bound
    for o in res.unjudged_own:
        lines.append(f"Not judged: the case's own criterion {o.criterion.id} "
                     f"({o.criterion.metric} {o.criterion.rule} "
                     f"{_short(o.criterion.threshold)} {o.criterion.unit}) had nothing to "
                     f"measure in this run, so it neither passed nor failed.")
    return lines
