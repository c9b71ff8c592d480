"""SI <-> YD/T 3709-2020 unit conversions, against hand-derived values."""

from __future__ import annotations

import math
from datetime import datetime, timezone

import pytest

from v2x_bridge import V2XError, units


def test_speed_units_of_0_02_mps():
    assert units.speed_to_asn(10.0) == 500          # 10 / 0.02
    assert units.speed_to_asn(0.0) == 0
    assert units.speed_to_asn(163.8) == 8190        # top of range
    assert units.speed_to_asn(None) == 8191         # unavailable
    assert units.speed_from_asn(258) == pytest.approx(5.16)
    assert units.speed_from_asn(8191) is None


@pytest.mark.parametrize("bad", [200.0, -0.5, math.nan, math.inf])
def test_speed_out_of_range_names_the_field(bad):
    with pytest.raises(V2XError) as err:
        units.speed_to_asn(bad)
    assert err.value.element == "speed"
    assert "speed" in str(err.value)


@pytest.mark.parametrize("h_rad,expected", [
    (0.0, 7200),                 # east  = 90 deg clockwise from north / 0.0125
    (math.pi / 2, 0),            # north
    (math.pi, 21600),            # west  = 270 deg
    (-math.pi / 2, 14400),       # south = 180 deg
    (math.radians(30.0), 4800),  # 30 deg north of east = bearing 60 deg
    (math.radians(100.0), 28000),  # 10 deg west of north = bearing 350 deg
])
def test_heading_counter_clockwise_east_to_clockwise_north(h_rad, expected):
    assert units.heading_to_asn(h_rad) == expected


def test_heading_nan_names_heading():
    with pytest.raises(V2XError) as err:
        units.heading_to_asn(math.nan)
    assert err.value.element == "heading"


def test_heading_roundtrip_within_quantisation():
    for k in range(-40, 41):
        h = k * 0.0785
        back = units.heading_from_asn(units.heading_to_asn(h))
        assert abs(math.remainder(back - h, 2 * math.pi)) <= math.radians(0.0125) / 2 + 1e-12


def test_heading_just_below_north_wraps_to_zero_not_28800():
    assert units.heading_to_asn(math.pi / 2 + 1e-9) == 0


def test_lat_lon_elevation():
    assert units.lat_to_asn(30.49) == 304900000
    assert units.lon_to_asn(114.15) == 1141500000
    assert units.latlon_from_asn(900000001, 1800000001) == (None, None)
    assert units.elevation_to_asn(23.4) == 234
    assert units.elevation_to_asn(-409.5) == -4095
    assert units.elevation_to_asn(None) == -4096
    assert units.elevation_from_asn(-4096) is None
    with pytest.raises(V2XError) as err:
        units.lat_to_asn(91.0)
    assert err.value.element == "lat"
    with pytest.raises(V2XError) as err:
        units.elevation_to_asn(7000.0)
    assert err.value.element == "elevation"


def test_acceleration_saturates_as_the_standard_says():
    assert units.accel_to_asn(-3.21) == -321
    assert units.accel_to_asn(35.0) == 2000
    assert units.accel_to_asn(-35.0) == -2000
    assert units.accel_to_asn(None) == 2001
    assert units.accel_from_asn(2001) is None


def test_yaw_rate_clockwise_positive():
    # 0.1 rad/s to the left (CCW) = 5.7296 deg/s -> -573 in 0.01 deg/s, clockwise positive
    assert units.yaw_rate_to_asn(0.1) == -573
    assert units.yaw_rate_from_asn(-573) == pytest.approx(0.1, abs=2e-4)


def test_durations_to_timemark():
    assert units.duration_to_timemark(12.34) == 123
    assert units.duration_to_timemark(4000.0) == 36000      # more than an hour
    assert units.duration_to_timemark(3599.96) == 35999     # under an hour is not 36000
    assert units.duration_to_timemark(1e308) == 36000       # saturates, no OverflowError
    assert units.duration_to_timemark(None) == 36001        # unknown
    assert units.timemark_to_duration(36001) is None
    assert units.timemark_to_duration(36000) == math.inf
    with pytest.raises(V2XError):
        units.duration_to_timemark(-1.0)


def test_sizes_and_radius():
    assert units.length_to_cm(4.5, "length", 4095) == 450
    assert units.height_to_asn(1.5) == 30                   # 5 cm units
    assert units.radius_to_asn(100.0) == 1000
    with pytest.raises(V2XError) as err:
        units.length_to_cm(11.0, "width", 1023)
    assert err.value.element == "width"


def test_time_confidence_levels():
    assert units.time_confidence(0.05) == "time-000-050"
    assert units.time_confidence(0.3) == "time-000-500"
    assert units.time_confidence(1e-6) == "time-000-001"
    assert units.time_confidence(None) == "unavailable"
    assert units.time_confidence(1000.0) == "unavailable"


def test_sim_clock_fields_by_hand():
    # 2025-03-01 12:34:56.789 UTC: minute of year = (31 + 28) days * 1440 + 12 * 60 + 34
    clock = units.SimClock(datetime(2025, 3, 1, 12, 34, 56, 789000, tzinfo=timezone.utc))
    assert clock.moy(0.0) == 59 * 1440 + 754
    assert clock.dsecond(0.0) == 56789
    assert clock.timemark(0.0) == (34 * 60 + 56) * 10 + 7
    assert clock.dsecond(3.3) == 60089 - 60000           # next minute
    assert clock.moy(3.3) == 59 * 1440 + 755
    assert clock.sim_time(clock.moy(10.0), clock.dsecond(10.0)) == pytest.approx(10.0)


def test_sim_clock_inverse_across_new_year():
    """v2x15 audit: an epoch of 2026-12-31T23:59:30Z and a frame 45 s later carry moy 0,
    DSecond 15000 (2027-01-01T00:00:15Z); their sim time is 45 s, not -31535955 s."""
    clock = units.SimClock(datetime(2026, 12, 31, 23, 59, 30, tzinfo=timezone.utc))
    assert (clock.moy(45.0), clock.dsecond(45.0)) == (0, 15000)
    assert clock.sim_time(0, 15000) == pytest.approx(45.0)
    assert clock.sim_time(clock.moy(10.0), clock.dsecond(10.0)) == pytest.approx(10.0)


def test_sim_clock_leap_year():
    clock = units.SimClock(datetime(2024, 3, 1, tzinfo=timezone.utc))
    assert clock.moy(0.0) == 60 * 1440                     # 31 + 29 days
    last = units.SimClock(datetime(2024, 12, 31, 23, 59, tzinfo=timezone.utc))
    assert last.moy(0.0) == 527039                          # the largest valid value


def test_utc_instant_of_an_iso_date_time_with_offset_or_now():
    """``testzone run --utc-start``: 08:00 in Wuhan (UTC+8) is midnight UTC; MinuteOfTheYear of
    2026-12-01 00:00 UTC = 334 days * 1440 (Jan..Nov of a common year)."""
    at = units.utc_instant("2026-12-01T08:00:00+08:00")
    assert at == datetime(2026, 12, 1, tzinfo=timezone.utc)
    assert units.SimClock(at).moy(0.0) == 334 * 1440
    assert units.utc_instant("2026-12-01T00:00:00.123456Z") == datetime(
        2026, 12, 1, 0, 0, 0, 123000, tzinfo=timezone.utc)       # to the millisecond
    now = datetime(2026, 12, 1, 23, 59, 59, 999999, tzinfo=timezone.utc)
    assert units.utc_instant(" NOW ", now=now) == now.replace(microsecond=999000)


@pytest.mark.parametrize("text,why", [("2026-12-01T08:00:00", "no UTC offset"),
                                      ("tomorrow", "not a valid ISO 8601 date-time"),
                                      ("2025-02-29T00:00:00Z", "not a valid ISO 8601"),
                                      ("", "not a valid ISO 8601 date-time"),
                                      ("0001-01-01T00:00:00+05:45", "outside the years"),
                                      ("9999-12-31T23:59:59Z", "outside the years")])
def test_utc_instant_refuses_local_times_and_other_text(text, why):
    with pytest.raises(V2XError) as err:
        units.utc_instant(text)
    assert why in err.value.message and repr(text) in err.value.message
