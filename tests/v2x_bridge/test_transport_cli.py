"""ZeroMQ loopback transport and the CLI functions (no test can hang: every wait is bounded)."""

from __future__ import annotations

import functools
import re
import threading
import time
from pathlib import Path

import pytest
from reference_data import V2X as REF_DIR
from typer.testing import CliRunner

from testzone.world import EntityKind, EntityState, Pose, SignalColor, SignalState, WorldState
from v2x_bridge import ChannelModel, GeoFrame, Rsu, V2XBridge, V2XError, cli, codec
from v2x_bridge.transport import Publisher, Subscriber

LOOPBACK_ANY = "tcp://127.0.0.1:*"


def _receive_while_publishing(pub, sub, msg_type, payload, deadline_s=5.0):
    """Publish until the subscriber (slow joiner) sees a frame, bounded in wall time."""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        pub.publish(msg_type, "RSU-1", 1.25, payload)
        frame = sub.receive(0.05)
        if frame is not None:
            return frame
    return None


def test_pub_sub_roundtrip_on_a_free_loopback_port(ref_frame):
    data, _ = ref_frame("spat")
    with Publisher(LOOPBACK_ANY) as pub, Subscriber(pub.endpoint, topics=["SPAT"]) as sub:
        assert pub.endpoint.startswith("tcp://127.0.0.1:") and not pub.endpoint.endswith("*")
        frame = _receive_while_publishing(pub, sub, "SPAT", data)
    assert frame is not None
    assert (frame.msg_type, frame.rsu_id, frame.sim_t, frame.payload) == ("SPAT", "RSU-1", 1.25,
                                                                           data)


def test_topic_filter_skips_other_types(ref_frame):
    data, _ = ref_frame("rsm")
    with Publisher(LOOPBACK_ANY) as pub, Subscriber(pub.endpoint, topics=["SPAT"]) as sub:
        _receive_while_publishing(pub, sub, "RSM", data, deadline_s=0.5)
        assert sub.receive(0.1) is None


def test_a_frame_past_the_size_cap_never_reaches_the_subscriber(ref_frame):
    """Hostile pass 8: a publisher's 400 MB frame took `v2x listen` to 7.5 GB. Parts beyond
    MAX_FRAME_BYTES are refused by ZeroMQ (ZMQ_MAXMSGSIZE); a normal frame still arrives."""
    from v2x_bridge.transport import MAX_FRAME_BYTES
    data, _ = ref_frame("spat")
    with Publisher(LOOPBACK_ANY) as pub, Subscriber(pub.endpoint) as sub:
        assert sub._sock.getsockopt(__import__("zmq").MAXMSGSIZE) == MAX_FRAME_BYTES
        assert _receive_while_publishing(pub, sub, "SPAT", data) is not None
        pub.publish("SPAT", "RSU-1", 2.0, b"\0" * (MAX_FRAME_BYTES + 1))
        assert sub.receive(0.5) is None


def test_receive_times_out():
    with Publisher(LOOPBACK_ANY) as pub, Subscriber(pub.endpoint) as sub:
        t0 = time.monotonic()
        assert sub.receive(0.1) is None
        assert time.monotonic() - t0 < 2.0


def test_bind_conflict_is_a_v2x_error():
    with Publisher(LOOPBACK_ANY) as pub:
        with pytest.raises(V2XError, match="cannot bind"):
            Publisher(pub.endpoint)


class _ListPublisher:
    def __init__(self):
        self.frames = []

    def publish(self, msg_type, rsu_id, sim_t, payload):
        self.frames.append((msg_type, rsu_id, sim_t, payload))


def test_bridge_publishes_what_it_delivers():
    sink = _ListPublisher()
    bridge = V2XBridge([Rsu("R1", 0.0, 0.0, signal_ids=("s1",))], GeoFrame(),
                       ChannelModel(latency_s=0.0), 0, publisher=sink)
    world = WorldState(0.0, {"ego": EntityState("ego", EntityKind.VEHICLE, Pose(10.0, 0.0))},
                       {"s1": SignalState("s1", SignalColor.RED, 4.0, 1)})
    got = bridge.step(world, "ego")
    assert [(m.msg_type, m.rsu_id, m.sent_t, m.payload) for m in got] == sink.frames


def test_decode_command_hex_and_file(ref_frame, tmp_path):
    data, expected = ref_frame("rsm")
    out = cli.decode_command(data.hex())
    assert out["msg_type"] == "RSM" and out["bytes"] == 40 and out["value"] == expected[1]
    raw = tmp_path / "frame.bin"
    raw.write_bytes(data)
    assert cli.decode_command(str(raw))["value"] == expected[1]
    out = cli.decode_command(str(REF_DIR / "map_rsu_frame.uper.hex"), variant="2019")
    assert out["msg_type"] == "MAP"
    # hostile pass 8: hex saved with a UTF-8 BOM was read as raw bytes, and a file's
    # corrupt content was reported without naming the file
    bom = tmp_path / "bom.hex"
    bom.write_bytes(b"\xef\xbb\xbf" + data.hex().encode())
    assert cli.decode_command(str(bom))["value"] == expected[1]
    bad = tmp_path / "bad.bin"
    bad.write_bytes(data[:5])
    with pytest.raises(V2XError, match="truncated or corrupted") as err:
        cli.decode_command(str(bad))
    assert err.value.file == str(bad)


@pytest.mark.parametrize("arg", ["zz", "abc", ""])
def test_decode_command_bad_hex(arg):
    with pytest.raises(V2XError, match="hex"):
        cli.decode_command(arg)


def test_decode_cli_exit_2_on_truncated_frame(ref_frame):
    data, _ = ref_frame("spat")
    result = CliRunner().invoke(cli.app, ["decode", data[:30].hex()])
    assert result.exit_code == 2
    assert "truncated or corrupted" in result.output


def test_decode_cli_prints_json(ref_frame):
    data, _ = ref_frame("spat")
    result = CliRunner().invoke(cli.app, ["decode", data.hex()])
    assert result.exit_code == 0 and '"msg_type": "SPAT"' in result.output


def _listen_while_sending(send, count: int) -> list:
    """``listen_command`` on a fresh publisher while a thread calls ``send(pub)`` every 10 ms
    (a subscriber joins late, so frames are sent until it has what it waits for)."""
    with Publisher(LOOPBACK_ANY) as pub:
        stop = threading.Event()

        def pump():
            while not stop.is_set():
                send(pub)
                time.sleep(0.01)

        worker = threading.Thread(target=pump, daemon=True)
        worker.start()
        try:
            return list(cli.listen_command(pub.endpoint, count=count, timeout=5.0))
        finally:
            stop.set()
            worker.join(timeout=2.0)


def test_listen_command_receives_and_decodes(ref_frame):
    data, expected = ref_frame("spat")
    items = _listen_while_sending(lambda pub: pub.publish("SPAT", "RSU-9", 2.5, data), 2)
    assert len(items) == 2
    assert items[0]["rsu"] == "RSU-9" and items[0]["value"] == expected[1]


def test_listen_command_times_out_with_v2x_error():
    with Publisher(LOOPBACK_ANY) as pub:
        with pytest.raises(V2XError, match="no frame received"):
            list(cli.listen_command(pub.endpoint, count=1, timeout=0.2))


def test_listen_keeps_going_past_a_malformed_frame(ref_frame):
    # observed: 3 good frames then a bad header: exit 2, none of the good frames printed;
    # a header with t = NaN printed the invalid JSON `"t":NaN`
    import msgpack
    data, _ = ref_frame("spat")

    def send(pub):
        pub.publish("SPAT", "RSU-9", 2.5, data)
        pub._sock.send_multipart([b"SPAT", b"\xc1", data])
        pub._sock.send_multipart([b"SPAT", msgpack.packb(
            {"v": 1, "type": "SPAT", "rsu": "R", "t": float("nan")}), data])
    items = _listen_while_sending(send, 6)
    assert len(items) == 6
    good = [i for i in items if "value" in i]
    bad = [i["error"] for i in items if "error" in i]
    # six consecutive frames of the repeating (good, bad byte, NaN time) triple: two of each
    assert len(good) == 2 and all(i["msg_type"] == "SPAT" for i in good)
    assert sum("bad frame header (1 bytes)" in e for e in bad) == 2
    assert sum("not a finite time" in e for e in bad) == 2


def test_decode_of_a_fifo_is_refused_not_a_hang(tmp_path):
    import os
    os.mkfifo(tmp_path / "frame.hex")
    result = CliRunner().invoke(cli.app, ["decode", str(tmp_path / "frame.hex")])
    assert result.exit_code == 2 and "is not a regular file" in result.output


@pytest.mark.parametrize("endpoint, fragment", [
    ("tcp://999.1.1.1:5", "999.1.1.1 is not an IPv4 address"),
    ("tcp://127.0.0.1:70000", "port 70000 is not in 1-65535"),
])
def test_listen_on_an_impossible_endpoint_says_so(endpoint, fragment):
    # it waited and reported "no frame received" (hostile pass 4)
    result = CliRunner().invoke(cli.app, ["listen", "--endpoint", endpoint, "--timeout", "0.1"])
    assert result.exit_code == 2
    assert fragment in result.output
    with pytest.raises(V2XError, match="cannot bind"):
        Publisher(endpoint)


def test_an_inproc_endpoint_is_refused_where_the_other_end_is_another_process():
    """Hostile pass 10: `listen --endpoint inproc://x` waited its whole timeout, and `run
    --v2x-endpoint inproc://x` published to nobody, exit 0."""
    result = CliRunner().invoke(cli.app, ["listen", "--endpoint", "inproc://x", "--timeout",
                                          "30"])
    assert result.exit_code == 2
    assert "inproc:// reaches only the same process; use tcp://HOST:PORT" in result.output
    from runners.cli import app as testzone
    case = Path(__file__).resolve().parents[2] / "scenarios" / "wuhan" / "cut_in.xosc"
    result = CliRunner().invoke(testzone, ["run", str(case),
                                           "--v2x-endpoint", "INPROC://x"])
    assert result.exit_code == 2 and "cannot publish on INPROC://x" in result.output


def test_decode_of_a_device_or_an_oversized_file_is_refused(tmp_path):
    # one reader for every file a user names (testzone.userfiles.read_regular)
    result = CliRunner().invoke(cli.app, ["decode", "/dev/urandom"])
    assert result.exit_code == 2 and "is not a regular file" in result.output
    big = tmp_path / "big.bin"
    big.write_bytes(b"\x00" * (cli.MAX_FILE_BYTES + 1))
    result = CliRunner().invoke(cli.app, ["decode", str(big)])
    assert result.exit_code == 2
    assert f"more than the {cli.MAX_FILE_BYTES} accepted" in result.output


@pytest.mark.parametrize("topic, header, says", [
    (b"BSM", {"v": 1, "type": "SPAT", "rsu": "R", "t": 1.0}, "does not match type='SPAT'"),
    (b"SPAT", {"v": 99, "type": "SPAT", "rsu": "R", "t": 1.0}, "expected header version 1"),
    (b"SPAT", {"v": 1, "type": "SPAT", "rsu": "R", "t": True}, "is not a finite time"),
    (b"SPAT", {"v": 1, "type": "SPAT", "rsu": "R", "t": "5"}, "is not a finite time"),
    (b"SPAT", {"v": 1, "type": None, "rsu": "R", "t": 1.0}, "expected text"),
    (b"SPAT", {b"v": 1, b"type": b"SPAT", b"rsu": b"R", b"t": 1.0},
     "no v, t, type, rsu key (text keys expected; the map's keys: b'v', b'type'"),
])
def test_a_frame_header_is_held_to_the_wire_format(topic, header, says):
    """Hostile pass 11b: t=True was read as 1.0 and "5" as 5.0, type None printed as
    "None", v=99 was taken, and a frame on topic BSM with a SPAT header was shown as SPAT."""
    import time

    import msgpack
    from v2x_bridge.transport import Publisher, Subscriber
    with Publisher("tcp://127.0.0.1:*") as pub, Subscriber(pub.endpoint) as sub:
        deadline = time.monotonic() + 5.0
        while sub.receive(0.0) is None and time.monotonic() < deadline:  # subscription live
            pub.publish("SPAT", "warm", 0.0, b"\x00")
            time.sleep(0.01)
        while sub.receive(0.05) is not None:
            pass
        pub._sock.send_multipart([topic, msgpack.packb(header), b"\x00"])
        with pytest.raises(V2XError, match=re.escape(says)):
            sub.receive(2.0)


def test_listen_says_when_a_too_big_frame_cost_the_connection(ref_frame, monkeypatch):
    """Known gap of session 11: a frame over MAX_FRAME_BYTES made ZeroMQ drop the
    publisher's connection, and the frame, and `listen` said nothing of it."""
    from v2x_bridge import transport
    monkeypatch.setattr(transport, "MAX_FRAME_BYTES", 1000)
    data, _ = ref_frame("spat")
    assert len(data) < 1000
    sent = []

    def send(pub):
        if len(sent) == 3:
            pub._sock.send_multipart([b"SPAT", b"\x80", b"\x00" * 5000])  # over the limit
        pub.publish("SPAT", "RSU-9", 2.5, data)
        sent.append(1)
    items = _listen_while_sending(send, 4)
    warnings = [i["warning"] for i in items if "warning" in i]
    assert warnings and "sent a frame part over 1000 bytes" in warnings[0]
    assert sum("value" in i for i in items) == 4, items  # warnings are not counted as frames


def test_listen_takes_the_variant_and_lenient_options(ref_frame, monkeypatch):
    """Conformance pass 12: `v2x listen` decoded only strict 2020 frames; an RSU sending the
    2019 release (the reference MAP frame) gave an error per frame with no way round it."""
    data, expected = ref_frame("map")
    send = lambda pub: pub.publish("MAP", "RSU-9", 2.5, data)      # noqa: E731
    items = _listen_while_sending(send, 1)
    assert "try --variant 2019" in items[0]["value"]["error"]
    monkeypatch.setattr(cli, "listen_command", functools.partial(cli.listen_command,
                                                                 variant="2019"))
    items = _listen_while_sending(send, 1)
    assert items[0]["value"] == expected[1]
    result = CliRunner().invoke(cli.app, ["listen", "--variant", "2017", "--timeout", "0.1"])
    assert result.exit_code == 2 and "unknown message-set variant '2017'" in result.output
