"""SI <-> YD/T 3709-2020 integer units, in one place (the edge of the bridge).

Inside the project everything is SI in the OpenDRIVE inertial frame: m, s, m/s, m/s^2 and
headings in rad counter-clockwise from the x (east) axis. The message set uses integer units
(YD/T 3709-2020 data elements, after SAE J2735):

=================  ==========================================  ==============================
element            unit                                        range (special values)
=================  ==========================================  ==============================
Speed              0.02 m/s                                    0..8190 (8191 unavailable)
Heading            0.0125 deg, clockwise from true north        0..28799
Latitude           1e-7 deg                                    +-900000000 (900000001 unav.)
Longitude          1e-7 deg                                    +-1799999999 (1800000001 unav.)
Elevation          0.1 m                                       -4095..61439 (-4096 unknown)
Acceleration       0.01 m/s^2, saturates at +-2000              (2001 unavailable)
YawRate            0.01 deg/s, clockwise positive (SAE J670)    +-32767
DSecond            ms within the UTC minute                    0..59999
MinuteOfTheYear    min since 1 January 00:00 UTC                0..527039 (527040 invalid)
TimeMark           0.1 s within the UTC hour                   0..35999 (36000 > 1 h, 36001 unknown)
VehicleWidth/Len.  1 cm                                        0..1023 / 0..4095
VehicleHeight      5 cm                                        0..127
Radius             0.1 m                                       0..65535
=================  ==========================================  ==============================

Out-of-range or non-finite inputs raise :class:`V2XError` whose ``element`` names the field
(``speed``, ``heading``, ...). Elements for which the standard defines saturation
(Acceleration, YawRate, TimeMark durations) saturate instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from testzone.world import wrap_angle
from v2x_bridge.errors import V2XError

SPEED_UNAVAILABLE = 8191
LAT_UNAVAILABLE = 900000001
LON_UNAVAILABLE = 1800000001
ELEVATION_UNKNOWN = -4096
ACCEL_UNAVAILABLE = 2001
VERT_ACCEL_UNAVAILABLE = -127
TIMEMARK_OVER_HOUR = 36000
TIMEMARK_UNKNOWN = 36001
MOY_INVALID = 527040

DEFAULT_EPOCH = datetime(2025, 1, 1, tzinfo=timezone.utc)
"""UTC instant of simulation time 0 unless a run sets another (``testzone run --utc-start``);
fixed, so that a run's frames are the same bytes each time it runs."""


UTC_START_YEARS = (1970, 2999)
"""Years [UTC] a run's sim time 0 may lie in: a day of simulation after the last stays
within what the clock's arithmetic can hold (hostile pass 13b: year 1 overflowed, year 9999
made every case an error)."""


def utc_instant(text: str, now: datetime | None = None) -> datetime:
    """The UTC instant an ISO 8601 date-time with a UTC offset names (``2026-12-01T08:00:00+08:00``,
    ``...Z``), or ``now`` (``now`` given, else the system clock), to the millisecond: the
    message set's finest time unit (DSecond, YD/T 3709-2020).

    Raises:
        V2XError: not ISO 8601, no UTC offset (a local time would move every MinuteOfTheYear
            and DSecond by the machine's time zone), or outside :data:`UTC_START_YEARS`.
    """
    if text.strip().lower() == "now":
        at = now or datetime.now(timezone.utc)
    else:
        try:
            at = datetime.fromisoformat(text.strip())
        except ValueError:
            raise V2XError(f"{text!r} is not a valid ISO 8601 date-time (expected e.g. "
                           f"2026-12-01T08:00:00+08:00, or now)") from None
        if at.utcoffset() is None:
            raise V2XError(f"{text!r} has no UTC offset (expected e.g. 2026-12-01T08:00:00+08:00 "
                           f"or ...Z)")
    try:
        at = at.astimezone(timezone.utc)
    except OverflowError:
        at = None
    if at is None or not UTC_START_YEARS[0] <= at.year <= UTC_START_YEARS[1]:
        raise V2XError(f"{text!r} lies outside the years {UTC_START_YEARS[0]}.."
                       f"{UTC_START_YEARS[1]} (UTC) a run can start in")
    return at.replace(microsecond=at.microsecond // 1000 * 1000)


def _finite(value: float, field: str) -> float:
    if value is None or not math.isfinite(value):
        raise V2XError(f"{field} must be a finite number, got {value!r}", element=field)
    return float(value)


def _checked(value: float, lo: float, hi: float, field: str, unit: str) -> float:
    value = _finite(value, field)
    if not lo <= value <= hi:
        raise V2XError(f"{field} = {value:.12g} {unit} is outside [{lo:.12g}, {hi:.12g}] {unit}",
                       element=field)
    return value


def speed_to_asn(speed_mps: float | None, field: str = "speed") -> int:
    """Speed [m/s] (>= 0) -> Speed [0.02 m/s]; None -> 8191 (unavailable).

    Raises:
        V2XError: negative, above 163.8 m/s or not finite (``element`` = ``field``).
    """
    if speed_mps is None:
        return SPEED_UNAVAILABLE
    v = _checked(speed_mps, 0.0, 8190 * 0.02, field, "m/s")
    return min(8190, round(v / 0.02))


def speed_from_asn(value: int) -> float | None:
    """Speed [0.02 m/s] -> [m/s]; None when 8191 (unavailable)."""
    return None if value == SPEED_UNAVAILABLE else value * 0.02


def heading_to_asn(h_rad: float, field: str = "heading") -> int:
    """Heading [rad, counter-clockwise from east] -> Heading [0.0125 deg clockwise from north].

    ``deg_cw_north = 90 - deg(h)`` wrapped to [0, 360). Raises V2XError when not finite.
    """
    h = _finite(h_rad, field)
    deg = (90.0 - math.degrees(h)) % 360.0
    return round(deg / 0.0125) % 28800


def heading_from_asn(value: int) -> float:
    """Heading [0.0125 deg clockwise from north] -> [rad counter-clockwise from east], (-pi, pi]."""
    return wrap_angle(math.radians(90.0 - value * 0.0125))


def lat_to_asn(lat_deg: float) -> int:
    """Latitude [deg] -> Latitude [1e-7 deg]. Raises V2XError outside +-90 deg or not finite."""
    return round(_checked(lat_deg, -90.0, 90.0, "lat", "deg") * 1e7)


def lon_to_asn(lon_deg: float) -> int:
    """Longitude [deg] -> Longitude [1e-7 deg]. Raises V2XError outside +-180 deg."""
    return round(_checked(lon_deg, -179.9999999, 180.0, "long", "deg") * 1e7)


def latlon_from_asn(lat: int, lon: int) -> tuple[float | None, float | None]:
    """(Latitude, Longitude) [1e-7 deg] -> (lat, lon) [deg]; None for unavailable values."""
    return (None if lat == LAT_UNAVAILABLE else lat * 1e-7,
            None if lon == LON_UNAVAILABLE else lon * 1e-7)


def elevation_to_asn(z_m: float | None) -> int:
    """Elevation [m] -> Elevation [0.1 m]; None -> -4096 (unknown).

    Raises V2XError outside [-409.5, 6143.9] m."""
    if z_m is None:
        return ELEVATION_UNKNOWN
    return round(_checked(z_m, -409.5, 6143.9, "elevation", "m") * 10.0)


def elevation_from_asn(value: int) -> float | None:
    """Elevation [0.1 m] -> [m]; None when -4096 (unknown)."""
    return None if value == ELEVATION_UNKNOWN else value * 0.1


def accel_to_asn(a_mps2: float | None, field: str = "acceleration") -> int:
    """Acceleration [m/s^2] -> [0.01 m/s^2], saturating at +-2000; None -> 2001 (unavailable)."""
    if a_mps2 is None:
        return ACCEL_UNAVAILABLE
    return max(-2000, min(2000, round(_finite(a_mps2, field) * 100.0)))


def accel_from_asn(value: int) -> float | None:
    """Acceleration [0.01 m/s^2] -> [m/s^2]; None when 2001 (unavailable)."""
    return None if value == ACCEL_UNAVAILABLE else value * 0.01


def yaw_rate_to_asn(yaw_rate_rps: float, field: str = "yaw_rate") -> int:
    """Yaw rate [rad/s, counter-clockwise positive] -> YawRate [0.01 deg/s, clockwise positive].

    The message set follows the SAE J670 vehicle axes (z down), so a left turn is negative.
    Saturates at +-32767.
    """
    v = -math.degrees(_finite(yaw_rate_rps, field)) * 100.0
    return max(-32767, min(32767, round(v)))


def yaw_rate_from_asn(value: int) -> float:
    """YawRate [0.01 deg/s clockwise] -> [rad/s counter-clockwise]."""
    return -math.radians(value * 0.01)


def length_to_cm(length_m: float, field: str, max_cm: int) -> int:
    """Length [m] -> [cm] in 0..max_cm (VehicleWidth 1023, VehicleLength 4095)."""
    return round(_checked(length_m, 0.0, max_cm / 100.0, field, "m") * 100.0)


def height_to_asn(height_m: float) -> int:
    """VehicleHeight: [m] -> [5 cm] in 0..127 (6.35 m). Raises V2XError outside."""
    return round(_checked(height_m, 0.0, 6.35, "height", "m") / 0.05)


def radius_to_asn(radius_m: float, field: str = "radius") -> int:
    """Radius [m] -> [0.1 m] in 0..65535 (6553.5 m). Raises V2XError outside."""
    return round(_checked(radius_m, 0.0, 6553.5, field, "m") * 10.0)


def duration_to_timemark(seconds: float | None, field: str = "timing") -> int:
    """A duration from now [s] (>= 0) -> TimeMark count-down [0.1 s].

    None -> 36001 (unknown); 3600 s and beyond -> 36000 (''more than an hour''); a duration
    under an hour rounds to the nearest 0.1 s but at most 35999 (3599.96 s is not more than an
    hour; v2x15 audit). Raises V2XError for negative or NaN durations.
    """
    if seconds is None:
        return TIMEMARK_UNKNOWN
    s = _finite(seconds, field)
    if s < 0.0:
        raise V2XError(f"{field} = {s:g} s is negative", element=field)
    return TIMEMARK_OVER_HOUR if s >= 3600.0 else min(TIMEMARK_OVER_HOUR - 1, round(s * 10.0))


def timemark_to_duration(value: int) -> float | None:
    """TimeMark count-down [0.1 s] -> [s]; None when 36001 (unknown), inf when 36000."""
    if value == TIMEMARK_UNKNOWN:
        return None
    return math.inf if value == TIMEMARK_OVER_HOUR else value * 0.1


_TIME_CONFIDENCE = ((100.0, "time-100-000"), (50.0, "time-050-000"), (20.0, "time-020-000"),
                    (10.0, "time-010-000"), (2.0, "time-002-000"), (1.0, "time-001-000"),
                    (0.5, "time-000-500"), (0.2, "time-000-200"), (0.1, "time-000-100"),
                    (0.05, "time-000-050"), (0.02, "time-000-020"), (0.01, "time-000-010"),
                    (0.005, "time-000-005"), (0.002, "time-000-002"), (0.001, "time-000-001"))


def time_confidence(accuracy_s: float | None) -> str:
    """Clock accuracy [s] -> TimeConfidence name: the finest level still true.

    e.g. 0.05 -> ``time-000-050``, 0.3 -> ``time-000-500``; None or > 100 s -> ``unavailable``.
    Sub-millisecond accuracies are reported as ``time-000-001``.
    """
    if accuracy_s is None or not math.isfinite(accuracy_s) or accuracy_s > 100.0:
        return "unavailable"
    best = "unavailable"
    for bound, name in _TIME_CONFIDENCE:
        if accuracy_s <= bound + 1e-12:
            best = name
    return best


@dataclass(frozen=True)
class SimClock:
    """Maps simulation time [s] to the UTC time fields of the message set.

    Attributes:
        epoch: the UTC instant of simulation time 0 (timezone-aware).
    """

    epoch: datetime = DEFAULT_EPOCH

    def utc(self, t: float) -> datetime:
        """UTC instant of simulation time ``t`` [s] (millisecond resolution)."""
        return self.epoch + timedelta(milliseconds=round(_finite(t, "time") * 1000.0))

    def moy(self, t: float) -> int:
        """MinuteOfTheYear [min] at sim time ``t``."""
        u = self.utc(t)
        start = datetime(u.year, 1, 1, tzinfo=timezone.utc)
        return int((u - start).total_seconds() // 60)

    def dsecond(self, t: float) -> int:
        """DSecond [ms within the UTC minute] at sim time ``t``."""
        u = self.utc(t)
        return u.second * 1000 + u.microsecond // 1000

    def timemark(self, t: float) -> int:
        """TimeMark [0.1 s within the UTC hour] of the instant at sim time ``t`` (absolute)."""
        u = self.utc(t)
        return (u.minute * 60 + u.second) * 10 + u.microsecond // 100000

    def sim_time(self, moy: int, dsecond: int) -> float:
        """Inverse of (moy, dsecond): the sim time [s] of that UTC instant, in the epoch's
        year, or in the next one when that instant lies before the epoch's minute (a run that
        crossed New Year: v2x15 audit, moy 0 after a 23:59:30 epoch had given -31535955 s)."""
        start = datetime(self.epoch.year, 1, 1, tzinfo=timezone.utc)
        at = start + timedelta(minutes=moy, milliseconds=dsecond)
        if at < self.epoch.replace(second=0, microsecond=0):
            at = datetime(self.epoch.year + 1, 1, 1, tzinfo=timezone.utc) + \
                timedelta(minutes=moy, milliseconds=dsecond)
        return (at - self.epoch).total_seconds()
