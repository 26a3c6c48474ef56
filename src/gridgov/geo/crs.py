"""Conversions between the three lon/lat systems met in China: WGS84, GCJ-02 and BD-09.

* WGS84 is what GPS receivers report and what gridgov stores: every grid boundary is WGS84.
* GCJ-02 (国测局坐标, "Mars coordinates") is WGS84 moved by a smoothly varying offset of a few
  hundred metres. Its formula was never published officially; the leaked one used here agrees
  with the vendors' converters to about 1e-6 degree (0.1 m) on their published examples. Gaode (AMap),
  Tencent and Google's China maps use it, so a position picked on a phone map usually arrives in GCJ-02.
* BD-09 (百度坐标) is GCJ-02 moved again by Baidu's small polar distortion; Baidu Maps uses it.

The GCJ-02 formula is the one circulated since about 2013 in the on4wp7 (C#) and emq (Java)
sources and reused by eviltransform (github.com/googollee/eviltransform), coordtransform
(github.com/wandergis/coordtransform) and PRCoords (github.com/Artoria2e5/PRCoords): a polynomial
plus sine series in (lon - 105, lat - 35), scaled to degrees on the Krasovsky 1940 ellipsoid
(a = 6378245 m, e^2 = 0.00669342162296594323). The BD-09 formula is the one circulated with it
(blog.csdn.net/coolypf, 2013) and used by the same libraries: a small polar rotation and scaling
with x_pi = pi * 3000 / 180, then a shift of (0.0065, 0.006) degree.

Rules this module keeps:

* Out of China nothing is obfuscated. A point is "in China" when
  72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271 (the bounding box every implementation
  above uses, edges included). Outside it, WGS84 <-> GCJ-02 returns the point unchanged.
  The GCJ-02 <-> BD-09 step is a plain formula with no such test (as in coordtransform and
  PRCoords), so it moves every point, in China or not.
* The inverses (GCJ-02 -> WGS84, BD-09 -> GCJ-02) have no closed form. Each starts from the
  usual one-step approximation and refines it by fixed-point iteration until the forward
  transform of the answer reproduces the input to within 1e-9 degree (about 0.1 mm), so
  ``wgs84_to_gcj02(*gcj02_to_wgs84(x, y))`` gives back ``(x, y)``. The in-China test of an
  inverse is made on its input (the GCJ-02 point), so round trips are exact except within a few
  hundred metres of the bounding box edges, far from any grid.
* Nothing raises for a value that is not a position. NaN and infinities count as out of China,
  so WGS84 <-> GCJ-02 returns them unchanged; the BD-09 step turns them into NaN.

Why hand-written: of the PyPI packages for this (eviltransform, coord-convert, prcoords,
coordtransform, xyconvert, ...) none is both maintained and vectorised over numpy arrays, and
pyproj does not know GCJ-02; the formulas are twenty lines.

Every function takes either two scalars (returning a tuple of two ``float``) or two array-likes
of the same shape (returning a tuple of two ``float64`` arrays). The scalar path uses ``math``
rather than numpy: a few microseconds forward, ten to twenty for an iterated inverse.
"""

from __future__ import annotations

import math
from enum import StrEnum
from numbers import Real
from types import SimpleNamespace
from typing import Any, overload

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "CHINA_BBOX",
    "Crs",
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "out_of_china",
    "parse_crs",
    "to_wgs84",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
]


class Crs(StrEnum):
    """A lon/lat coordinate system a position may be given in."""

    WGS84 = "wgs84"
    GCJ02 = "gcj02"
    BD09 = "bd09"


CHINA_BBOX = (72.004, 0.8293, 137.8347, 55.8271)
"""(min lon, min lat, max lon, max lat) inside which GCJ-02 differs from WGS84."""

_KRASOVSKY_A = 6378245.0
_KRASOVSKY_EE = 0.00669342162296594323
_BD_X_PI = math.pi * 3000.0 / 180.0
_BD_DLON = 0.0065
_BD_DLAT = 0.006

_TOLERANCE_DEG = 1e-9
_MAX_ITERATIONS = 30

_SCALAR_OPS = SimpleNamespace(
    sin=math.sin, cos=math.cos, sqrt=math.sqrt, fabs=math.fabs, hypot=math.hypot, atan2=math.atan2
)
_ARRAY_OPS = SimpleNamespace(
    sin=np.sin, cos=np.cos, sqrt=np.sqrt, fabs=np.fabs, hypot=np.hypot, atan2=np.arctan2
)

Coords = tuple[float, float] | tuple[NDArray[np.float64], NDArray[np.float64]]


def _is_scalar(value: Any) -> bool:
    return isinstance(value, Real) or (isinstance(value, np.ndarray) and value.ndim == 0)


def _gcj_offset(lon, lat, ops):
    """GCJ-02 minus WGS84 at a WGS84 point, in degrees, ignoring the in-China test."""
    x = lon - 105.0
    y = lat - 35.0
    pi = math.pi
    common = (20.0 * ops.sin(6.0 * x * pi) + 20.0 * ops.sin(2.0 * x * pi)) * 2.0 / 3.0
    dlat = (
        -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * ops.sqrt(ops.fabs(x))
        + common
        + (20.0 * ops.sin(y * pi) + 40.0 * ops.sin(y / 3.0 * pi)) * 2.0 / 3.0
        + (160.0 * ops.sin(y / 12.0 * pi) + 320.0 * ops.sin(y * pi / 30.0)) * 2.0 / 3.0
    )
    dlon = (
        300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * ops.sqrt(ops.fabs(x))
        + common
        + (20.0 * ops.sin(x * pi) + 40.0 * ops.sin(x / 3.0 * pi)) * 2.0 / 3.0
        + (150.0 * ops.sin(x / 12.0 * pi) + 300.0 * ops.sin(x / 30.0 * pi)) * 2.0 / 3.0
    )
    rad_lat = lat / 180.0 * pi
    magic = 1.0 - _KRASOVSKY_EE * ops.sin(rad_lat) ** 2
    sqrt_magic = ops.sqrt(magic)
    dlat = (dlat * 180.0) / ((_KRASOVSKY_A * (1.0 - _KRASOVSKY_EE)) / (magic * sqrt_magic) * pi)
    dlon = (dlon * 180.0) / (_KRASOVSKY_A / sqrt_magic * ops.cos(rad_lat) * pi)
    return dlon, dlat


def _bd_forward(lon, lat, ops):
    z = ops.hypot(lon, lat) + 0.00002 * ops.sin(lat * _BD_X_PI)
    theta = ops.atan2(lat, lon) + 0.000003 * ops.cos(lon * _BD_X_PI)
    return z * ops.cos(theta) + _BD_DLON, z * ops.sin(theta) + _BD_DLAT


def _bd_backward_estimate(lon, lat, ops):
    """The usual one-step inverse: right to about 2e-6 degree, refined by the caller."""
    x = lon - _BD_DLON
    y = lat - _BD_DLAT
    z = ops.hypot(x, y) - 0.00002 * ops.sin(y * _BD_X_PI)
    theta = ops.atan2(y, x) - 0.000003 * ops.cos(x * _BD_X_PI)
    return z * ops.cos(theta), z * ops.sin(theta)


def _wgs_to_gcj_forward(lon, lat, ops):
    dlon, dlat = _gcj_offset(lon, lat, ops)
    return lon + dlon, lat + dlat


def _invert(forward, estimate, lon, lat, ops, scalar: bool):
    """Solve ``forward(p) == (lon, lat)`` for p by fixed-point iteration from ``estimate``.

    Both forward maps are the identity plus an offset that varies slowly (its derivative is well
    under 0.01), so each step shrinks the error a hundredfold and a handful of steps suffice.
    """
    x, y = estimate
    for _ in range(_MAX_ITERATIONS):
        fx, fy = forward(x, y, ops)
        ex = fx - lon
        ey = fy - lat
        x = x - ex
        y = y - ey
        if scalar:
            worst = max(abs(ex), abs(ey))
        else:
            worst = float(np.nanmax(np.abs(np.concatenate([ex.ravel(), ey.ravel()])), initial=0.0))
        if not worst > _TOLERANCE_DEG:
            break
    return x, y


def _prepare(lon: Any, lat: Any):
    if _is_scalar(lon) and _is_scalar(lat):
        return float(lon), float(lat), True
    x = np.asarray(lon, dtype=np.float64)
    y = np.asarray(lat, dtype=np.float64)
    if x.shape != y.shape:
        raise ValueError(f"经度与纬度的个数不一致:{x.shape} 与 {y.shape}")
    return x, y, False


def _inside_china(lon, lat):
    min_lon, min_lat, max_lon, max_lat = CHINA_BBOX
    return (min_lon <= lon) & (lon <= max_lon) & (min_lat <= lat) & (lat <= max_lat)


@overload
def out_of_china(lon: float, lat: float) -> bool: ...
@overload
def out_of_china(lon: ArrayLike, lat: ArrayLike) -> NDArray[np.bool_]: ...
def out_of_china(lon, lat):
    """Whether GCJ-02 leaves the point alone: outside ``CHINA_BBOX``, or NaN."""
    x, y, scalar = _prepare(lon, lat)
    if scalar:
        return not bool(_inside_china(x, y))
    return ~_inside_china(x, y)


def _china_only(convert, x, y, scalar: bool):
    """Apply ``convert`` to the in-China points only; the others come back unchanged."""
    if scalar:
        if not _inside_china(x, y):
            return x, y
        return convert(x, y, _SCALAR_OPS)
    inside = _inside_china(x, y)
    out_x = x.copy()
    out_y = y.copy()
    if inside.all():
        out_x[...], out_y[...] = convert(x, y, _ARRAY_OPS)
    elif inside.any():
        out_x[inside], out_y[inside] = convert(x[inside], y[inside], _ARRAY_OPS)
    return out_x, out_y


def wgs84_to_gcj02(lon, lat) -> Coords:
    """WGS84 to GCJ-02; out of China (see ``CHINA_BBOX``) the point is returned unchanged."""
    x, y, scalar = _prepare(lon, lat)
    return _china_only(_wgs_to_gcj_forward, x, y, scalar)


def gcj02_to_wgs84(lon, lat) -> Coords:
    """GCJ-02 to WGS84, the exact inverse of :func:`wgs84_to_gcj02` to within 1e-9 degree.

    Starts from the classic approximation ``gcj - offset(gcj)`` (error up to a few metres) and
    iterates ``wgs -= wgs84_to_gcj02(wgs) - gcj``. Out of China the point is returned unchanged.
    """
    x, y, scalar = _prepare(lon, lat)

    def invert(gx, gy, ops):
        dlon, dlat = _gcj_offset(gx, gy, ops)
        return _invert(_wgs_to_gcj_forward, (gx - dlon, gy - dlat), gx, gy, ops, scalar)

    return _china_only(invert, x, y, scalar)


def _finite_only(convert, x, y, scalar: bool):
    """Apply ``convert``; NaN, not a warning or a math domain error, where a value overflows."""
    if scalar:
        try:
            return convert(x, y, _SCALAR_OPS)
        except (ValueError, OverflowError):
            return math.nan, math.nan
    with np.errstate(invalid="ignore", over="ignore"):
        return convert(x, y, _ARRAY_OPS)


def gcj02_to_bd09(lon, lat) -> Coords:
    """GCJ-02 to BD-09 with Baidu's formula; applied everywhere, in China or not."""
    x, y, scalar = _prepare(lon, lat)
    return _finite_only(_bd_forward, x, y, scalar)


def bd09_to_gcj02(lon, lat) -> Coords:
    """BD-09 to GCJ-02, the exact inverse of :func:`gcj02_to_bd09` to within 1e-9 degree.

    The usual closed-form inverse is off by up to about 2e-6 degree (0.2 m); it is used as the
    starting point and refined by iteration.
    """
    x, y, scalar = _prepare(lon, lat)

    def invert(bx, by, ops):
        return _invert(_bd_forward, _bd_backward_estimate(bx, by, ops), bx, by, ops, scalar)

    return _finite_only(invert, x, y, scalar)


def wgs84_to_bd09(lon, lat) -> Coords:
    """WGS84 to BD-09: through GCJ-02."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon, lat) -> Coords:
    """BD-09 to WGS84: through GCJ-02, both steps exact inverses."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def _identity(lon, lat) -> Coords:
    x, y, scalar = _prepare(lon, lat)
    if scalar:
        return x, y
    return x.copy(), y.copy()


_TO_WGS84 = {
    Crs.WGS84: _identity,
    Crs.GCJ02: gcj02_to_wgs84,
    Crs.BD09: bd09_to_wgs84,
}


def parse_crs(crs: str | Crs) -> Crs:
    """The :class:`Crs` named by ``crs`` (case-insensitive); ValueError for any other name."""
    if isinstance(crs, Crs):
        return crs
    try:
        return Crs(str(crs).strip().lower())
    except ValueError:
        names = "、".join(c.value for c in Crs)
        raise ValueError(f"不支持的坐标系:{crs!r},应为 {names} 之一") from None


def to_wgs84(lon, lat, crs: str | Crs = Crs.WGS84) -> Coords:
    """The WGS84 position of a point given in ``crs`` ("wgs84", "gcj02" or "bd09")."""
    return _TO_WGS84[parse_crs(crs)](lon, lat)
