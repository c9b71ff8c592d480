"""How the run ended: the scenario's StopTrigger, a timeout, a collision stop or an error.

ASAM OpenSCENARIO 1.2, Storyboard ``stopTrigger``: a case is complete when its stop trigger
fires; a run ended by the runner's time limit did not reach the scenario's end.
"""

from __future__ import annotations

from testzone.recording import Recording
from testzone.world import SignalColor

from evaluator.interfaces import RoadNetworkView
from evaluator.results import UNIT_BOOL, MetricResult, Statistic

#: End reasons a recording may carry (testzone.recording.Recording.end_reason).
END_REASONS = ("stop_trigger", "timeout", "error", "collision", "truncated")


END_LIGHT_RANGE_M = 50.0
"""How far ahead [m] of the ego's front a red light governing its lane is named when a run
ends with the ego still moving towards it."""


def light_at_the_end(recording: Recording, net: RoadNetworkView | None) -> dict | None:
    """``{"signal_id", "distance_m", "speed_mps"}`` of the nearest red vehicle light governing
    the ego's lane within :data:`END_LIGHT_RANGE_M` ahead of its front at the last frame, when
    the ego is still moving (over 0.1 m/s), else None: a run that ends short of a red light has
    not shown whether the ego would stop there (regulator pass 16: an RLVW case ended 11 m
    before its red light, still moving, and nothing said so)."""
    from evaluator.extract import lane_of
    from evaluator.metrics.red_light import lights_ahead, lights_by_road
    if net is None or not recording.frames or not recording.header.ego:
        return None
    last = recording.frames[-1]
    ego = last.entities.get(recording.header.ego)
    if ego is None or ego.speed <= 0.1:
        return None
    ahead = sorted((dist, sig) for sig, dist in lights_ahead(lights_by_road(net), ego,
                                                             lane_of(ego, net), net)
                   if 0.0 < dist <= END_LIGHT_RANGE_M)
    for dist, sig in ahead[:1]:
        state = last.signals.get(str(sig.id))
        if state is not None and state.color == SignalColor.RED:
            return {"signal_id": str(sig.id), "distance_m": round(float(dist), 2),
                    "speed_mps": round(float(ego.speed), 2)}
    return None


class RunEndMetric:
    """The run's end reason as statistics.

    Statistics: ``run_reached_stop_trigger``, ``run_timed_out`` (bools), ``run_duration_s``
    (time of the last frame judged [s], 0 without frames; see
    ``evaluator.case.judged_part``), ``storyboard_events_not_started`` (count of the
    storyboard Events that never started; None without the recording's
    ``storyboard_coverage`` event). ``run_reached_stop_trigger`` is None (not applicable)
    for a case whose StopTrigger has no condition and that ran to its time limit
    (``RecordingHeader.stop_trigger_defined``): it had no end of its own to reach.

    Event: ``{"end_reason", "message"}``, with ``"never_started"`` (the storyboard Events
    that never started, from the recording's ``storyboard_coverage`` event; at most 50),
    ``"timed_after_end"`` (Events whose start trigger needs a SimulationTime after the run's
    end: not counted as never started; at most 50),
    ``"ignored_commands"`` (the CustomCommandAction types the run did not carry out) and
    ``"storyboard_events"`` (how many there are) when some never started, and with
    ``"ego_road_end"`` ``{"t", "road_id", "lane_id", "s", "speed_mps"}`` when the
    scenario's default controller stopped the ego at a dead end (the recording's
    ``end_of_road`` event; with ``--agent scenario``: the stop is esmini's, not the stack's),
    and with ``"ego_before_light"`` (:func:`light_at_the_end`) when the run ended with the ego
    still moving towards a red light close ahead.
    """

    name = "run_end"
    category = "progress"

    def compute(self, recording: Recording, net: RoadNetworkView | None = None) -> MetricResult:
        """Read the end reason (``net`` is not used)."""
        reason = recording.end_reason
        dur = recording.frames[-1].time if recording.frames else 0.0
        reached = (None if reason == "timeout" and not recording.header.stop_trigger_defined
                   else float(reason == "stop_trigger"))
        stats = {
            "run_reached_stop_trigger": Statistic("run_reached_stop_trigger", UNIT_BOOL, reached),
            "run_timed_out": Statistic("run_timed_out", UNIT_BOOL, float(reason == "timeout")),
            "run_duration_s": Statistic("run_duration_s", "s", float(dur)),
        }
        event = {"end_reason": reason, "message": recording.end_message}
        coverage = next(iter(recording.events_of("storyboard_coverage")), None)
        never = [str(p) for p in coverage.data.get("never_started") or ()] \
            if coverage is not None else None
        stats["storyboard_events_not_started"] = Statistic(
            "storyboard_events_not_started", "count", None if never is None else float(len(never)))
        if never:
            event["never_started"] = never[:50]
            event["storyboard_events"] = coverage.data.get("events")
        after = coverage.data.get("timed_after_end") if coverage is not None else None
        if after:
            event["timed_after_end"] = [str(p) for p in after][:50]
        if coverage is not None and coverage.data.get("ignored_commands"):
            event["ignored_commands"] = [str(k) for k in coverage.data["ignored_commands"]][:50]
        light = light_at_the_end(recording, net)
        if light is not None:
            event["ego_before_light"] = light
        stop = recording.ego_road_end()
        if stop is not None:
            event["ego_road_end"] = {"t": stop.t, **{k: stop.data.get(k) for k in
                                                     ("road_id", "lane_id", "s", "speed_mps")}}
        return MetricResult(self.name, self.category, stats, events=(event,))
