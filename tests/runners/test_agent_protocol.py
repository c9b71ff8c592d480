"""Malformed messages from a stack are AgentErrors (the case blames the stack), never the
runner's own TypeError, and the runner's socket refuses oversize replies."""

from __future__ import annotations

import msgpack
import pytest
import zmq

from runners.agent_protocol import MAX_MESSAGE_BYTES, control_from_dict, pack, unpack
from runners.interfaces import AgentError
from runners.remote_agent import RemoteAgent


@pytest.mark.parametrize("data, match", [
    (b"\x81\x81\xa1a\x01\x01", "TypeError"),      # {{"a": 1}: 1}: a map as a map key
    (b"\x81\x91\x01\x01", "TypeError"),           # {[1]: 1}: an array as a map key
    (b"\xc1", "not a protocol msgpack map"),      # a byte msgpack never uses
    (msgpack.packb([1, 2]), "without a 'type' field"),
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


def test_a_second_reply_to_a_request_is_never_the_next_steps_control():
    """Hostile pass 8: a ROUTER stack answering each step twice had its stale second answer
    (-9 m/s^2) taken as the control of a later step, at times that varied run to run. The
    request id (ZMQ_REQ_CORRELATE) makes the runner discard it: every step gets its own."""
    import threading

    from runners.interfaces import Observation
    from testzone.world import EntityKind, EntityState, Pose
    ego = EntityState("Ego", EntityKind.VEHICLE, Pose(0.0, 0.0), speed=10.0)
    ctx = zmq.Context.instance()
    router = ctx.socket(zmq.ROUTER)
    port = router.bind_to_random_port("tcp://127.0.0.1")
    done = threading.Event()

    def stack():
        step, previous = 0, None
        while not done.is_set():
            if not router.poll(50):
                continue
            *envelope, data = router.recv_multipart()
            kind = unpack(data)["type"]
            if kind == "step":
                step += 1
                if previous is not None:  # the second answer to the last step, arriving late
                    router.send_multipart(previous + [pack(
                        {"type": "control", "control": {"acceleration": -9.0}})])
                router.send_multipart(envelope + [pack(
                    {"type": "control", "control": {"acceleration": float(step)}})])
                previous = envelope
            else:
                router.send_multipart(envelope + [pack(
                    {"type": {"hello": "hello", "close": "bye"}.get(kind, "ready"),
                     "protocol": 1})])
    thread = threading.Thread(target=stack, daemon=True)
    thread.start()
    agent = RemoteAgent(f"tcp://127.0.0.1:{port}", step_timeout=2.0)
    try:
        agent._request({"type": "hello", "protocol": 1}, 2.0, "the handshake")
        got = []
        for k in range(5):
            got.append(agent.step(Observation(time=0.05 * k, ego=ego)).acceleration)
        assert got == [1.0, 2.0, 3.0, 4.0, 5.0]
    finally:
        done.set()
        thread.join(2)
        agent.close()
        router.close(0)


def test_a_reply_under_another_request_id_ends_in_the_deadline_not_a_hang():
    """Hostile pass 9: with ZMQ_REQ_CORRELATE, a reply carrying a wrong request id woke poll
    and the blocking recv then dropped it and waited for good: the run hung. The step now
    fails at its deadline (an AgentError, the case an error, the run goes on)."""
    import threading
    import time

    ctx = zmq.Context.instance()
    router = ctx.socket(zmq.ROUTER)
    port = router.bind_to_random_port("tcp://127.0.0.1")
    done = threading.Event()

    def stack():
        while not done.is_set():
            if not router.poll(50):
                continue
            ident, request_id, empty, data = router.recv_multipart()
            kind = unpack(data)["type"]
            if kind == "step":  # the id of another request: REQ drops the reply
                wrong = bytes((request_id[0] ^ 0xFF,)) + request_id[1:]
                router.send_multipart([ident, wrong, empty, pack(
                    {"type": "control", "control": {"acceleration": 1.0}})])
            else:
                router.send_multipart([ident, request_id, empty, pack(
                    {"type": {"hello": "hello", "close": "bye"}.get(kind, "ready"),
                     "protocol": 1})])
    thread = threading.Thread(target=stack, daemon=True)
    thread.start()
    agent = RemoteAgent(f"tcp://127.0.0.1:{port}", step_timeout=0.5)
    try:
        from runners.interfaces import Observation
        from testzone.world import EntityKind, EntityState, Pose
        agent._request({"type": "hello", "protocol": 1}, 2.0, "the handshake")
        t0 = time.monotonic()
        with pytest.raises(AgentError, match="missed its deadline of 0.5 s"):
            agent.step(Observation(time=0.0, ego=EntityState("Ego", EntityKind.VEHICLE,
                                                             Pose(0.0, 0.0))))
        assert time.monotonic() - t0 < 2.0
    finally:
        done.set()
        thread.join(2)
        agent.close()
        router.close(0)
