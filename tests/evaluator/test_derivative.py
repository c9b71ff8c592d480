"""The Savitzky-Golay derivative of evaluator.extract against scipy's savgol_filter and by hand."""

import numpy as np
import pytest
from scipy.signal import savgol_filter

from evaluator.extract import derivative


@pytest.mark.parametrize("n, dt, window_s", [(9, 0.05, 0.4), (200, 0.05, 0.4), (50, 0.1, 0.4),
                                             (31, 0.02, 0.1), (12, 0.05, 0.5)])
def test_equals_scipy_savgol_filter_interp(n, dt, window_s):
    rng = np.random.default_rng(n)
    y = np.cumsum(rng.normal(size=n)) + rng.normal(scale=0.1, size=n)
    win = max(3, int(round(window_s / dt)) + 1)
    win += 1 - win % 2
    expected = savgol_filter(y, win, 2, deriv=1, delta=dt, mode="interp")
    np.testing.assert_allclose(derivative(y, dt, window_s), expected, rtol=1e-9, atol=1e-9)


def test_exact_on_a_parabola_including_the_edges():
    # y = 3 t^2 - 2 t + 1 sampled at 20 Hz: dy/dt = 6 t - 2 at every sample, ends included.
    t = np.arange(40) * 0.05
    np.testing.assert_allclose(derivative(3 * t ** 2 - 2 * t + 1, 0.05), 6 * t - 2, atol=1e-9)


def test_short_and_broken_inputs():
    # 1 sample: zeros; shorter than the window: numpy.gradient; a NaN anywhere: all NaN.
    assert derivative(np.array([4.0]), 0.05).tolist() == [0.0]
    np.testing.assert_allclose(derivative(np.array([0.0, 1.0, 4.0]), 0.05), [20.0, 40.0, 60.0])
    assert np.isnan(derivative(np.array([0.0, np.nan] + [1.0] * 20), 0.05)).all()
