"""Misbehaving stacks for the runner's robustness tests (loaded as ``bad_agents.py:Class``)."""

from __future__ import annotations

import os
import sys
import time

from runners.interfaces import Agent, Control, Observation


class Sleeper(Agent):
    """Sleeps past the step deadline at t = 1 s."""

    name = "sleeper"

    def step(self, obs: Observation) -> Control:
        if obs.time >= 1.0:
            time.sleep(5.0)
        return Control(acceleration=0.0)


class Quitter(Agent):
    """Its process exits mid-run at t = 1 s."""

    name = "quitter"

    def step(self, obs: Observation) -> Control:
        if obs.time >= 1.0:
            os._exit(7)
        return Control(acceleration=0.0)


class Raiser(Agent):
    """Raises ``RuntimeError(message)`` at t = 1 s."""

    name = "raiser"
    message = "planner diverged"

    def step(self, obs: Observation) -> Control:
        if obs.time >= 1.0:
            raise RuntimeError(self.message)
        return Control(acceleration=0.0)


class NanSender(Agent):
    """Returns a NaN acceleration at t = 1 s."""

    name = "nan-sender"

    def step(self, obs: Observation) -> Control:
        return Control(acceleration=float("nan") if obs.time >= 1.0 else 0.0)


class Cruiser(Agent):
    """Holds its speed and steering: a well-behaved stack for the protocol tests."""

    name = "cruiser"
    version = "1.0"

    def step(self, obs: Observation) -> Control:
        return Control(acceleration=0.0, steering=0.0)


class WrongType(Agent):
    """Returns a dict instead of a Control at t = 1 s."""

    name = "wrong-type"

    def step(self, obs: Observation) -> Control:
        if obs.time >= 1.0:
            return {"acceleration": 1.0}  # type: ignore[return-value]
        return Control(acceleration=0.0)


class ArraySender(Agent):
    """Sends a numpy array as its acceleration at t = 1 s (msgpack cannot carry it)."""

    name = "array-sender"

    def step(self, obs: Observation) -> Control:
        import numpy as np
        if obs.time >= 1.0:
            return Control(acceleration=np.array([1.0, 2.0]))  # type: ignore[arg-type]
        return Control(acceleration=0.0)


class Float32Cruiser(Agent):
    """Holds its speed with numpy float32 numbers, as numpy arithmetic gives them."""

    name = "float32-cruiser"

    def step(self, obs: Observation) -> Control:
        import numpy as np
        return Control(acceleration=np.float32(0.0), steering=np.float64(0.0))


class InitRaiser(Agent):
    """Raises while it is built."""

    name = "init-raiser"

    def __init__(self) -> None:
        raise RuntimeError("weights file missing")

    def step(self, obs: Observation) -> Control:
        return Control(acceleration=0.0)


class Forker(Agent):
    """Starts a long-lived helper process at setup and writes its pid to ``$FORKER_PID_FILE``
    (a stack's simulator or planner server), then forgets it."""

    name = "forker"
    helper = "import time; time.sleep(600)"

    def setup(self, vehicle, road_network, config) -> None:  # type: ignore[override]
        import subprocess
        child = subprocess.Popen([sys.executable, "-c", self.helper])
        with open(os.environ["FORKER_PID_FILE"], "w") as fh:
            fh.write(str(child.pid))

    def step(self, obs: Observation) -> Control:
        return Control(acceleration=0.0)


class SurrogateRaiser(Raiser):
    """Raises at t = 1 s with a message UTF-8 cannot carry (a lone surrogate)."""

    name = "surrogate"
    message = "planner \ud800 diverged"


class Hog(Agent):
    """Prints a line per step; at t > 0.5 s allocates 1 GiB (a leaking planner)."""

    name = "hog"

    def step(self, obs: Observation) -> Control:
        print(f"planning at {obs.time:.2f}", flush=True)
        if obs.time > 0.5:
            self.blob = bytearray(2**30)
        return Control(acceleration=0.0)


class Chatterbox(Agent):
    """Writes 1 MiB to stdout every step (debug output left on)."""

    name = "chatterbox"

    def step(self, obs: Observation) -> Control:
        sys.stdout.write("x" * 2**20 + "\n")
        sys.stdout.flush()
        return Control(acceleration=0.0)


class Escaper(Forker):
    """As Forker, but the helper leaves the stack's process group (``setsid``) and ignores
    SIGTERM."""

    name = "escaper"
    helper = ("import os, signal, time; os.setsid(); "
              "signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(600)")


class Boaster(Agent):
    """Names itself with 5000 characters, control characters among them."""

    name = "boast\x00\x1b<&>" * 500
    version = "9" * 5000

    def step(self, obs: Observation) -> Control:
        return Control(acceleration=0.0)
