"""Worker pools: results stream back, a raising task becomes its result, addresses are probed."""

from __future__ import annotations

import math
import socket
import time
from pathlib import Path

import pytest

from runners.interfaces import RunnerError, Task
from runners.pool import RayPool, SequentialPool, probe_address
from runners.suite import exit_status, suite_files
from testzone.world import wrap_angle

ROOT = Path(__file__).resolve().parents[2]


def square(x: int) -> int:
    return x * x


def boom(x: int) -> int:
    raise ValueError(f"bad {x}")


def test_sequential_pool_yields_results_and_exceptions() -> None:
    got = dict(SequentialPool().map_unordered(
        [Task(square, (3,), "a"), Task(boom, (1,), "b"), Task(square, (4,), "c")]))
    assert got["a"] == 9 and got["c"] == 16
    assert isinstance(got["b"], ValueError) and "bad 1" in str(got["b"])


def test_ray_pool_runs_tasks_in_parallel_workers(monkeypatch) -> None:
    monkeypatch.setenv("RAY_ADDRESS", "127.0.0.1:1")  # ignored: a local pool starts its own
    pool = RayPool(workers=2)
    try:
        # functions of an installed package, so Ray workers can import them
        got = dict(pool.map_unordered([Task(wrap_angle, (float(i),), str(i)) for i in range(5)]
                                      + [Task(suite_files, ("no-such-suite",), "x")]))
    finally:
        pool.close()
    assert got["1"] == 1.0 and got["4"] == pytest.approx(4.0 - 2 * math.pi)
    assert "no-such-suite" in str(got["x"])


def test_ray_pool_starts_its_own_cluster_beside_one_left_by_ray_start(monkeypatch) -> None:
    # `ray start --head` records its address for ray.init() to join (ray_current_cluster);
    # joining it refused num_cpus, and every local run with --workers 2 failed
    import ray._private.services as services
    monkeypatch.setattr(services, "find_bootstrap_address", lambda temp_dir: "127.0.0.1:1")
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    pool = RayPool(workers=2)
    try:
        got = dict(pool.map_unordered([Task(wrap_angle, (1.0,), "a")]))
    finally:
        pool.close()
    assert got == {"a": 1.0}


def test_unreachable_ray_address_fails_fast_with_a_clear_line() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    t0 = time.monotonic()
    with pytest.raises(RunnerError, match=f"127.0.0.1:{port}"):
        probe_address(f"127.0.0.1:{port}", timeout=2.0)
    assert time.monotonic() - t0 < 10.0
    with pytest.raises(RunnerError, match="HOST:PORT"):
        probe_address("nonsense", timeout=1.0)


def _serve_once(answer: bytes | None) -> tuple[int, "threading.Thread", socket.socket]:
    """A TCP service on a free port that accepts one client, sends ``answer`` (None: stays
    silent until the client leaves) and closes."""
    import threading
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            if answer is not None:
                conn.sendall(answer)
            else:
                conn.recv(1024)
                conn.settimeout(5.0)
                try:
                    conn.recv(1024)
                except OSError:
                    pass
    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return server.getsockname()[1], thread, server


@pytest.mark.parametrize("answer", [None, b"SSH-2.0-OpenSSH_9.6\r\n",
                                    b"HTTP/1.1 400 Bad Request\r\n\r\n"])
def test_ray_address_of_another_service_is_refused_not_a_hang(answer) -> None:
    # observed: ray.init against a non-Ray TCP service hung for minutes
    port, thread, server = _serve_once(answer)
    t0 = time.monotonic()
    with server, pytest.raises(RunnerError, match=f"127.0.0.1:{port} is not a Ray cluster"):
        probe_address(f"127.0.0.1:{port}", timeout=1.0)
    assert time.monotonic() - t0 < 5.0


def test_a_server_answering_the_http2_preface_passes_the_ray_address_probe() -> None:
    # a gRPC server's first frame: an empty SETTINGS frame (RFC 9113, 3.4 and 6.5); checked
    # against a real `ray start --head` GCS by hand (grpcio is not installed to run one here)
    port, thread, server = _serve_once(bytes([0, 0, 0, 4, 0, 0, 0, 0, 0]))
    with server:
        probe_address(f"127.0.0.1:{port}", timeout=2.0)


@pytest.mark.parametrize("verdicts, kinds, status", [
    (["pass", "pass"], [None, None], 0),
    (["pass", "fail"], [None, None], 1),
    (["fail", "error"], [None, "agent"], 3),
    (["error", "error"], ["agent", "input"], 2),
])
def test_exit_status_precedence(verdicts, kinds, status) -> None:
    results = [{"verdict": v, "error_kind": k} for v, k in zip(verdicts, kinds)]
    assert exit_status(results) == status


def test_ray_address_auto_without_a_cluster_is_one_clear_error(monkeypatch) -> None:
    from ray._private.services import find_gcs_addresses
    if find_gcs_addresses():  # "auto" rightly joins a cluster running on this machine
        pytest.skip("a local Ray cluster is running (another run or session): auto would join it")
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    with pytest.raises(RunnerError, match="cannot start or reach the Ray cluster at auto"):
        RayPool(workers=2, address="auto")


def test_case_ids_are_safe_folder_names(tmp_path) -> None:
    # observed: a file `..xosc` (stem `.`) gave the case id `.`, whose folder is the run
    # folder itself
    from runners.suite import make_cases
    src = (ROOT / "scenarios" / "wuhan" / "cut_in.xosc").read_text()
    names = ["..xosc", "...xosc", ".hidden.xosc", "tab\tname.xosc", "路口.xosc"]
    for name in names:
        (tmp_path / name).write_text(src)
    ids = [c.case_id for c in make_cases([tmp_path / n for n in names], 0)]
    assert ids == ["case", "case-2", "hidden", "tab_name", "路口"]


def test_a_file_name_too_long_is_one_error_case_and_ids_fit_a_folder_name(tmp_path) -> None:
    """Hostile pass 11: a 300-character file name ended the whole run (exit 3, "cannot write",
    nothing reported): looking it up raised ENAMETOOLONG, and its id could not be a folder.
    It is one error case now; ids are cut to 160 bytes of UTF-8 (a folder name holds 255)."""
    from runners.suite import MAX_CASE_ID_BYTES, discover, make_cases
    long_name = tmp_path / ("a" * 300 + ".xosc")
    cut_in = ROOT / "scenarios" / "wuhan" / "cut_in.xosc"
    cases = make_cases(discover([cut_in, long_name]), 0)
    assert [c.case_id for c in cases] == ["cut_in", "a" * MAX_CASE_ID_BYTES]
    assert "File name too long" in cases[1].input_error
    wide = tmp_path / ("路" * 80 + ".xosc")   # 240 bytes: cut on a character boundary
    wide.write_text(cut_in.read_text())
    (case,) = make_cases([wide], 0)
    assert case.case_id == "路" * 53 and len(case.case_id.encode()) == 159


def test_case_ids_never_repeat(tmp_path) -> None:
    # observed: a/x.xosc, b/x.xosc and c/x-2.xosc gave two cases `x-2`; one result was lost
    from runners.suite import make_cases
    src = (ROOT / "scenarios" / "wuhan" / "cut_in.xosc").read_text()
    files = []
    for folder, name in [("a", "x"), ("b", "x"), ("c", "x-2"), ("d", "x-2"), ("e", "x")]:
        (tmp_path / folder).mkdir()
        files.append(tmp_path / folder / f"{name}.xosc")
        files[-1].write_text(src)
    ids = [c.case_id for c in make_cases(files, 0)]
    assert ids == ["x", "x-2", "x-2-2", "x-2-3", "x-3"]


def test_a_file_name_that_is_not_utf8_is_one_error_case(tmp_path) -> None:
    # observed: UnicodeEncodeError traceback before the run started; no case ran
    import os
    from runners.suite import discover, make_cases
    src = (ROOT / "scenarios" / "wuhan" / "cut_in.xosc").read_bytes()
    bad = os.fsdecode(os.path.join(os.fsencode(tmp_path), b"caf\xe9.xosc"))
    with open(bad, "wb") as fh:
        fh.write(src)
    (tmp_path / "good.xosc").write_bytes(src)
    cases = {c.case_id: c for c in make_cases(discover([tmp_path]), 0)}
    assert set(cases) == {"caf\\xe9", "good"}
    assert "not valid UTF-8" in cases["caf\\xe9"].input_error
    assert not cases["good"].input_error


@pytest.mark.parametrize("auth_mode, hinted", [(None, True), ("token", False)])
def test_a_refused_ray_address_names_token_authentication(monkeypatch, auth_mode,
                                                          hinted) -> None:
    # Ray answers a driver without the cluster's token with a bare "Failed to connect"
    import ray

    import runners.pool as pool_module

    def refuse(**kwargs):
        raise ConnectionError("Failed to connect to Ray cluster at 10.0.0.5:6379")
    monkeypatch.setattr(pool_module, "probe_address", lambda address, timeout: None)
    monkeypatch.setattr(ray, "init", refuse)
    if auth_mode is None:
        monkeypatch.delenv("RAY_AUTH_MODE", raising=False)
    else:
        monkeypatch.setenv("RAY_AUTH_MODE", auth_mode)
    with pytest.raises(RunnerError, match="Failed to connect") as err:
        RayPool(workers=2, address="10.0.0.5:6379")
    assert ("RAY_AUTH_MODE=token" in str(err.value)) is hinted


def test_a_folder_of_too_many_cases_is_refused_and_an_empty_one_named(tmp_path, monkeypatch):
    """Hostile pass 11: `testzone run /` walked the whole file system and queued 43,962
    cases; a folder with no case said only "nothing to run"."""
    import runners.suite as suite
    from runners.cli import app
    from typer.testing import CliRunner
    monkeypatch.setattr(suite, "MAX_FOLDER_FILES", 3)
    for k in range(4):
        (tmp_path / "many" / str(k)).mkdir(parents=True)
        (tmp_path / "many" / str(k) / "c.xosc").write_text("<OpenSCENARIO/>")
    with pytest.raises(RunnerError, match="holds more than 3 .xosc files"):
        suite.discover([tmp_path / "many"])
    assert len(suite.discover([tmp_path / "many" / "0", tmp_path / "many" / "1"])) == 2
    (tmp_path / "empty").mkdir()
    res = CliRunner().invoke(app, ["run", str(tmp_path / "empty")])
    assert res.exit_code == 2
    assert f"nothing to run (no .xosc file in {tmp_path / 'empty'})" in res.output


def test_a_run_of_too_many_expanded_cases_is_refused(tmp_path, monkeypatch):
    """Known gap of session 11: a folder of few distributions could still queue tens of
    thousands of cases; the whole run is bounded, naming how far the count got."""
    import runners.suite as suite
    from runners.cli import app
    from typer.testing import CliRunner
    monkeypatch.setattr(suite, "MAX_RUN_CASES", 20)
    from reference_data import ESMINI
    dist = ESMINI / "resources" / "xosc" / "cut-in_parameter_set.xosc"  # 12 variants
    assert len(suite.make_cases([dist], 0)) == 12
    with pytest.raises(RunnerError, match=r"more than 20 cases \(24 up to .*, file 2 of 2"):
        suite.make_cases([dist, dist], 0)
    res = CliRunner().invoke(app, ["run", str(dist), str(dist), "--out", str(tmp_path / "r")])
    assert res.exit_code == 2, res.output
    assert "split it into several runs" in res.output
    assert not (tmp_path / "r").exists()
