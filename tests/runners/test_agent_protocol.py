"""Malformed messages from a stack are AgentErrors (the case blames the stack), never the
runner's own TypeError, and the runner's socket refuses oversize replies."""

from __future__ import annotations

import contextlib
import re
import threading
import time
from pathlib import Path

import msgpack
import pytest
import zmq

from runners.agent_protocol import MAX_MESSAGE_BYTES, control_from_dict, pack, unpack
from runners.interfaces import AgentError, Observation
from runners.remote_agent import RemoteAgent
from testzone.world import EntityKind, EntityState, Pose

ROOT = Path(__file__).resolve().parents[2]
WUHAN_CASES, WUHAN_MAPS = ROOT / "scenarios" / "wuhan", ROOT / "maps" / "wuhan"


@pytest.mark.parametrize("data, match", [
    (b"\x81\x81\xa1a\x01\x01", "TypeError"),      # {{"a": 1}: 1}: a map as a map key
    (b"\x81\x91\x01\x01", "TypeError"),           # {[1]: 1}: an array as a map key
    (b"\xc1", "not a protocol msgpack map"),      # a byte msgpack never uses
    (msgpack.packb([1, 2]), r"agent sent a msgpack array, not a map \(docs"),
    (msgpack.packb({"control": {}}), "without a 'type' field"),
    # automaker pass 14 (a JavaScript stack): JSON text was "ExtraData: unpack(b) received
    # extra data", and JSON inside a msgpack string "without a 'type' field"
    (b' {"type": "control", "control": {"acceleration": 1}}', "agent sent JSON text, not "
                                                              "msgpack: every message is one map"),
    (msgpack.packb('{"type": "control"}'), "agent sent a msgpack string, not a map: it holds "
                                           "JSON text; send the map itself"),
])
def test_malformed_messages_are_agent_errors(data, match):
    with pytest.raises(AgentError, match=match):
        unpack(data)


def test_a_control_with_mixed_key_types_is_an_agent_error():
    # observed: TypeError '<' not supported between 'str' and 'int' (sorting the keys)
    with pytest.raises(AgentError, match="unknown fields '1', 'x'; expected only "
                                         "acceleration, brake, steer, steering, throttle"):
        control_from_dict({1: 0, "x": 0})
    with pytest.raises(AgentError, match="^control has unknown fields 'gear'; expected only"):
        control_from_dict({"gear": 2})        # new-user pass: was ["'gear'"]


def test_round_trip_keeps_bytes_and_floats():
    msg = {"type": "step", "obs": {"time": 0.1, "v2x": [b"\x00\xff"]}}
    assert unpack(pack(msg)) == msg


def test_the_runner_socket_refuses_replies_over_the_limit():
    agent = RemoteAgent("tcp://127.0.0.1:9")
    try:
        assert agent._sock.getsockopt(zmq.MAXMSGSIZE) == MAX_MESSAGE_BYTES
    finally:
        agent.close()


@contextlib.contextmanager
def router_stack(on_step, step_timeout: float):
    """A ROUTER-socket stack in a thread, and a RemoteAgent after its handshake, talking to it.
    Requests other than ``step`` get their normal reply; a step request's
    ``(envelope, request)`` goes to ``on_step(router, envelope)``, which sends what it likes."""
    ctx = zmq.Context.instance()
    router = ctx.socket(zmq.ROUTER)
    port = router.bind_to_random_port("tcp://127.0.0.1")
    done = threading.Event()

    def serve():
        while not done.is_set():
            if not router.poll(50):
                continue
            *envelope, data = router.recv_multipart()
            kind = unpack(data)["type"]
            if kind == "step":
                on_step(router, envelope)
            else:
                router.send_multipart(envelope + [pack(
                    {"type": {"hello": "hello", "close": "bye"}.get(kind, "ready"),
                     "protocol": 1})])
    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    agent = RemoteAgent(f"tcp://127.0.0.1:{port}", step_timeout=step_timeout)
    try:
        agent._request({"type": "hello", "protocol": 1}, 2.0, "the handshake")
        yield agent
    finally:
        done.set()
        thread.join(2)
        agent.close()
        router.close(0)


def _control(acceleration: float) -> bytes:
    return pack({"type": "control", "control": {"acceleration": acceleration,
                                                "steering": 0.0}})


def _observation(t: float) -> Observation:
    return Observation(time=t, ego=EntityState("Ego", EntityKind.VEHICLE, Pose(0.0, 0.0)))


def test_a_second_reply_to_a_request_is_never_the_next_steps_control():
    """Hostile pass 8: a ROUTER stack answering each step twice had its stale second answer
    (-9 m/s^2) taken as the control of a later step, at times that varied run to run. The
    request id (ZMQ_REQ_CORRELATE) makes the runner discard it: every step gets its own."""
    state = {"step": 0, "previous": None}

    def answer_twice(router, envelope):
        state["step"] += 1
        if state["previous"] is not None:  # the second answer to the last step, arriving late
            router.send_multipart(state["previous"] + [_control(-9.0)])
        router.send_multipart(envelope + [_control(float(state["step"]))])
        state["previous"] = envelope
    with router_stack(answer_twice, step_timeout=2.0) as agent:
        got = [agent.step(_observation(0.05 * k)).acceleration for k in range(5)]
    assert got == [1.0, 2.0, 3.0, 4.0, 5.0]


def test_a_reply_under_another_request_id_ends_in_the_deadline_not_a_hang():
    """Hostile pass 9: with ZMQ_REQ_CORRELATE, a reply carrying a wrong request id woke poll
    and the blocking recv then dropped it and waited for good: the run hung. The step now
    fails at its deadline (an AgentError, the case an error, the run goes on)."""
    def wrong_id(router, envelope):
        ident, request_id, empty = envelope  # the id of another request: REQ drops it
        router.send_multipart([ident, bytes((request_id[0] ^ 0xFF,)) + request_id[1:], empty,
                               _control(1.0)])
    with router_stack(wrong_id, step_timeout=0.5) as agent:
        t0 = time.monotonic()
        with pytest.raises(AgentError, match="missed its deadline of 0.5 s"):
            agent.step(_observation(0.0))
        assert time.monotonic() - t0 < 2.0


def _example_stack():
    import importlib.util
    from pathlib import Path
    path = Path(__file__).resolve().parents[2] / "examples" / "zmq_client.py"
    spec = importlib.util.spec_from_file_location("zmq_client_example_sessions", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_second_run_on_the_same_stack_is_refused_and_the_first_goes_on(monkeypatch):
    """Automaker passes 14 and 14b: two runs pointed at one stack interleaved silently, and
    then, with sessions alone, took the stack from each other case after case. Every hello
    carries its run's token; the reference stack refuses another run's hello while the run
    it serves is active (its cases follow each other), and another session's requests. The
    refused run asks again for BUSY_WAIT_S (here 1 s), then gives up."""
    from runners import remote_agent
    from runners.interfaces import VehicleSpec
    monkeypatch.setattr(remote_agent, "BUSY_WAIT_S", 1.0)
    endpoint = f"tcp://127.0.0.1:{_free_port()}"
    stack = threading.Thread(target=_example_stack().serve, args=(endpoint,),
                             kwargs={"cases": 1}, daemon=True)
    stack.start()
    first, second, again = RemoteAgent(endpoint), RemoteAgent(endpoint), RemoteAgent(endpoint)
    second.run = "another-run"
    try:
        first.setup(VehicleSpec("Ego"), None, {})
        with pytest.raises(AgentError, match=rf"answered an error to the handshake: busy: "
                                             rf"serving run {first.run} .*\(asked again for "
                                             rf"1 s\)"):
            second.setup(VehicleSpec("Ego"), None, {})
        assert first.step(_observation(0.0)).acceleration is not None   # undisturbed
        # a case of the same run that ended without close: the next hello starts over
        again.setup(VehicleSpec("Ego"), None, {})
        assert again.run == first.run and again.session != first.session
        with pytest.raises(AgentError, match=rf"busy: serving session {again.session}, "
                                             rf"not {first.session}"):
            first.step(_observation(0.05))
        assert again.step(_observation(0.0)).acceleration is not None
    finally:
        for agent in (first, second, again):
            agent.close()       # again's close ends the stack's one case: serve() returns
        stack.join(3)


def test_a_run_started_right_after_another_waits_for_the_stack(monkeypatch):
    """Automaker pass 16: two `testzone run`s in a row on one stack lost the second run's
    first cases ("busy": the stack holds a run 5 s after its last request, and nothing tells
    it the run ended). The handshake now asks again while the stack says busy: with a hold
    of 1 s, the next run's first case starts about 1 s after the last request."""
    from runners.interfaces import VehicleSpec
    endpoint = f"tcp://127.0.0.1:{_free_port()}"
    stack = threading.Thread(target=_example_stack().serve, args=(endpoint,),
                             kwargs={"cases": 2, "hold_s": 1.0}, daemon=True)
    stack.start()
    first, second = RemoteAgent(endpoint), RemoteAgent(endpoint)
    second.run = "the-next-run"
    try:
        first.setup(VehicleSpec("Ego"), None, {})
        first.step(_observation(0.0))
        first.close()
        t0 = time.monotonic()
        second.setup(VehicleSpec("Ego"), None, {})       # busy at first, then served
        assert 0.5 <= time.monotonic() - t0 < 4.0
        assert second.step(_observation(0.0)).acceleration is not None
    finally:
        for agent in (first, second):
            agent.close()
        stack.join(3)


def test_a_reply_for_another_session_is_an_agent_error():
    """A stack that starts over at every hello but does not refuse another session's
    requests still names the session it serves in its replies: the runner stops there."""
    ctx = zmq.Context.instance()
    rep = ctx.socket(zmq.REP)
    port = rep.bind_to_random_port("tcp://127.0.0.1")

    def serve():
        for reply in ({"type": "hello", "protocol": 1, "session": "other-run"},
                      {"type": "ready", "session": "other-run"}):
            rep.recv()
            rep.send(pack(reply))
    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    agent = RemoteAgent(f"tcp://127.0.0.1:{port}", setup_timeout=2.0)
    try:
        from runners.interfaces import VehicleSpec
        with pytest.raises(AgentError, match="for session 'other-run', not this case's .*another "
                                             "run is using the stack"):
            agent.setup(VehicleSpec("Ego"), None, {})
    finally:
        thread.join(2)
        agent.close()
        rep.close(0)


def test_a_stack_that_stopped_listening_is_told_apart_from_a_slow_one():
    """Automaker pass 14: a stack that crashed in the middle of a case was reported as having
    "missed its deadline", which sent its developers looking at timing. After a missed
    deadline the runner looks whether anything still listens at a tcp:// endpoint."""
    with router_stack(lambda router, envelope: None, step_timeout=0.3) as agent:
        with pytest.raises(AgentError) as slow:
            agent.step(_observation(0.0))
        assert str(slow.value).endswith("missed its deadline of 0.3 s during the step at "
                                        "t=0.00 s")        # slow, still listening
    gone = RemoteAgent(f"tcp://127.0.0.1:{_free_port()}", step_timeout=0.3)
    try:
        with pytest.raises(AgentError, match=r"missed its deadline of 0.3 s during the step at "
                                             r"t=0.00 s, and nothing listens at tcp://127.0.0.1:"
                                             r"\d+ any more: the stack has exited or crashed"):
            gone.step(_observation(0.0))
    finally:
        gone.close()


def test_a_malformed_reply_says_which_request_it_answered():
    def json_reply(router, envelope):
        router.send_multipart(envelope + [b'{"type": "control"}'])
    with router_stack(json_reply, step_timeout=2.0) as agent:
        with pytest.raises(AgentError, match=r"JSON text, not msgpack.*, in reply to the step "
                                             r"at t=1.50 s"):
            agent.step(_observation(1.5))


def test_setup_gives_a_stack_elsewhere_the_map_digest_and_the_v2x_frame():
    """Automaker pass 14: setup named the map only by a path on the runner's disk, and no
    message carried the geoReference that V2X latitudes/longitudes need. setup now carries
    the .xodr's SHA-256 (the manifest's) and the frame of the case's V2X positions (PROJ
    string, header offset); a hosted Python stack gets the same frame as its ``geo_frame``.
    Hostile pass 14: without V2X and without a geoReference, no frame at all."""
    import hashlib
    from pathlib import Path
    from maps import load_opendrive
    from runners.agent_host import handle
    from runners.case import agent_geo_frame
    from runners.interfaces import Agent, VehicleSpec
    from v2x_bridge import GeoFrame
    xodr = Path(__file__).resolve().parents[2] / "maps" / "wuhan" / "wuhan_section1.xodr"
    net = load_opendrive(xodr)
    seen = []

    def serve():
        for reply in ({"type": "hello", "protocol": 1}, {"type": "ready"}):
            seen.append(unpack(rep.recv()))
            rep.send(pack(reply))
    ctx = zmq.Context.instance()
    rep = ctx.socket(zmq.REP)
    port = rep.bind_to_random_port("tcp://127.0.0.1")
    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    agent = RemoteAgent(f"tcp://127.0.0.1:{port}", setup_timeout=2.0)
    agent.geo_frame = agent_geo_frame(None, net)      # no V2X: the map's own geoReference
    agent.map_sha256 = hashlib.sha256(xodr.read_bytes()).hexdigest()
    try:
        agent.setup(VehicleSpec("Ego"), net, {})
    finally:
        thread.join(2)
        agent.close()
        rep.close(0)
    setup = seen[1]
    assert setup["map_sha256"] == hashlib.sha256(xodr.read_bytes()).hexdigest()
    assert setup["geo"] == {"proj": net.geo_reference.strip(), "offset": [0.0, 0.0, 0.0, 0.0]}
    assert "+proj=tmerc +lat_0=30.49 +lon_0=114.15" in setup["geo"]["proj"]
    net.geo_reference = ""
    assert agent_geo_frame(None, net) is None

    class Recorder(Agent):
        def step(self, obs):
            raise AssertionError("not stepped")
    layout = GeoFrame("+proj=tmerc +lat_0=30.5 +lon_0=114.2 +datum=WGS84 +units=m")
    hosted = Recorder()
    assert handle(hosted, {"type": "setup", "vehicle": {"name": "Ego"}, "map_file": None,
                           "config": {}, "geo": {"proj": layout.proj,
                                                 "offset": [1.0, 2.0, 0.0, 0.0]}}) == {
        "type": "ready"}
    assert hosted.geo_frame.proj == layout.proj
    assert tuple(hosted.geo_frame.offset) == (1.0, 2.0, 0.0, 0.0)
    assert hosted.map_sha256 is None                    # no map_sha256 in that setup


def test_a_hosted_python_stack_gets_the_maps_digest_as_map_sha256(tmp_path):
    """Review 15: ``Agent.map_sha256`` is "set by the runner", but a ``file.py:Class`` stack
    (run in its own process) never got it: the host read ``setup``'s ``geo`` only. The stack
    writes what it got to its log; it must be the SHA-256 of the case's map file."""
    import hashlib
    from runners.case import RunOptions, run_case
    from runners.suite import make_cases
    stack = tmp_path / "stack.py"
    stack.write_text(
        "from runners.interfaces import Agent, Control\n"
        "class Stack(Agent):\n"
        "    def setup(self, vehicle, road_network, config):\n"
        "        print('MAP', self.map_sha256, flush=True)\n"
        "    def step(self, obs):\n"
        "        return Control(acceleration=0.0, steering=0.0)\n")
    (case,) = make_cases([WUHAN_CASES / "cut_in.xosc"], 0)
    res = run_case(case, RunOptions(agent=f"{stack}:Stack", max_sim_time=0.2),
                   tmp_path / "case")
    assert res["verdict"] != "error", res.get("error")
    xodr = WUHAN_MAPS / "wuhan_section1.xodr"
    log = (tmp_path / "case" / "agent.log").read_text()
    assert f"MAP {hashlib.sha256(xodr.read_bytes()).hexdigest()}" in log


def test_a_stack_that_hangs_costs_the_whole_handshake_deadline_once():
    """Automaker pass 14: a stack that listens but never answers cost 30 s per case (13 min
    for a 26-case suite). After one missed handshake, the next case waits 3 s; a stack that
    answers again gets the whole deadline back."""
    from runners import remote_agent
    from runners.interfaces import VehicleSpec
    ctx = zmq.Context.instance()
    mute = ctx.socket(zmq.REP)
    port = mute.bind_to_random_port("tcp://127.0.0.1")        # listens, never answers
    endpoint = f"tcp://127.0.0.1:{port}"
    remote_agent._SILENT_STACKS.discard(endpoint)
    try:
        waits = []
        for _ in range(2):
            agent = RemoteAgent(endpoint, setup_timeout=4.0)
            t0 = time.monotonic()
            with pytest.raises(AgentError, match="missed its deadline") as err:
                agent.setup(VehicleSpec("Ego"), None, {})
            waits.append(time.monotonic() - t0)
            agent.close()
        assert waits[0] >= 4.0 and waits[1] < 3.9
        assert "did not answer the last case's handshake either: waited 3 s, not 4 s" in \
            str(err.value)
    finally:
        mute.close(0)
        remote_agent._SILENT_STACKS.discard(endpoint)


@pytest.mark.parametrize("said, error", [
    (12345, "with a session of type int; expected the string it was sent, or none"),
    (["x"], "with a session of type list"),
    (None, None),                       # no session: accepted (a stack that ignores them)
    ("SAME-AS-BYTES", None),            # the token packed as msgpack binary: the same token
])
def test_a_session_of_the_wrong_type_is_named_as_such(said, error):
    """Hostile pass 14: an int session, or the right token packed as binary (as a C stack
    may), was reported as another run using the stack."""
    def reply(router, envelope):
        token = agent.session.encode() if said == "SAME-AS-BYTES" else said
        router.send_multipart(envelope + [pack({"type": "control", "session": token,
                                                "control": {"acceleration": 1.0,
                                                            "steering": 0.0}})])
    with router_stack(reply, step_timeout=2.0) as agent:
        agent.session = "0123456789abcdef"
        if error is None:
            assert agent.step(_observation(0.0)).acceleration == 1.0
        else:
            with pytest.raises(AgentError, match=error):
                agent.step(_observation(0.0))


@pytest.mark.parametrize("control, message", [
    ({}, "control in actuator form lacks 'throttle', 'brake', 'steer'"),
    ({"throttle": 0.2}, "control in actuator form lacks 'brake', 'steer'"),
    ({"acceleration": 1}, "control in kinematic form lacks 'steering'"),
    ({"acceleration": 1.0, "steering": 0.1, "throttle": 0.5},
     "control in kinematic form also sets 'throttle' (the other form's fields, which would "
     "be ignored): send one form"),
    ({"throttle": 0.2, "brake": 0.0, "steer": 0.0, "steering": 0.2},
     "control in actuator form also sets 'steering'"),
    (None, "the reply has no 'control' map"),
])
def test_a_control_missing_its_forms_fields_or_mixing_forms_is_an_error(control, message):
    """Automaker pass 16: an empty control drove on at the last speed (missing fields were 0)
    and the case was scored as the stack's collision; a throttle beside an acceleration was
    ignored. Both are the stack's errors now, named."""
    from runners.agent_protocol import control_from_dict
    with pytest.raises(AgentError, match=re.escape(message)):
        control_from_dict(control)


@pytest.mark.parametrize("control", [
    {"acceleration": 1.0, "steering": 0.0, "throttle": None},
    {"acceleration": None, "throttle": 0.2, "brake": 0.0, "steer": 0.0, "steering": None},
])
def test_the_other_forms_fields_may_be_nil(control):
    """Review 16: the docs allow the other form's fields as 0 or nil; a nil one passed the
    reading and then failed Control.validate as the stack's error."""
    from runners.agent_protocol import control_from_dict
    control_from_dict(control).validate(0.5)


def test_a_whole_control_of_either_form_is_read_with_the_other_forms_zeros():
    """What control_to_dict sends (every field, the unused form's at 0) is read as before."""
    from runners.agent_protocol import control_from_dict, control_to_dict
    from runners.interfaces import Control
    for c in (Control(acceleration=1.5, steering=-0.1), Control(throttle=0.3, brake=0.0,
                                                                steer=0.2)):
        assert control_from_dict(control_to_dict(c)) == c
