"""WGS84 / GCJ-02 / BD-09 conversions, checked against values other implementations publish."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from gridgov.geo.crs import (
    CHINA_BBOX,
    Crs,
    bd09_to_gcj02,
    bd09_to_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    out_of_china,
    parse_crs,
    to_wgs84,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)

# (wgs lon, wgs lat, gcj lon, gcj lat), from the test suite of eviltransform,
# github.com/googollee/eviltransform, python/test.py (TESTS: Shanghai, Shenzhen, Beijing).
EVILTRANSFORM_WGS_GCJ = [
    (121.5272106, 31.1774276, 121.531541859215, 31.17530398364597),
    (113.912316, 22.543847, 113.9171764808363, 22.540796131694766),
    (116.377817, 39.911954, 116.38404722455657, 39.91334545536069),
]

# github.com/wandergis/coordtransform, test/app.js: each function applied to (116.404, 39.915).
# Its gcj02towgs84 and bd09togcj02 are one-step approximations of the inverses.
COORDTRANSFORM_INPUT = (116.404, 39.915)
COORDTRANSFORM_WGS84_TO_GCJ02 = (116.41024449916938, 39.91640428150164)
COORDTRANSFORM_GCJ02_TO_BD09 = (116.41036949371029, 39.92133699351021)
COORDTRANSFORM_GCJ02_TO_WGS84_APPROX = (116.39775550083061, 39.91359571849836)
COORDTRANSFORM_BD09_TO_GCJ02_APPROX = (116.39762729119315, 39.90865673957631)

# Alibaba Cloud address purification docs, "坐标系转换" (TransferCoord) response example:
# GCJ02 "120.026268,30.279164" -> BD09 "120.032768,30.285238" (6 decimals).
ALIYUN_GCJ02 = (120.026268, 30.279164)
ALIYUN_BD09 = (120.032768, 30.285238)

# MapCoords README (pypi.org/project/MapCoords), citing the AMap (高德) coordinate conversion web
# API: WGS84 (116.481499, 39.990475) -> GCJ-02 (116.487586, 39.991754)
# -> BD-09 (116.49412, 39.997716).
AMAP_WGS84 = (116.481499, 39.990475)
AMAP_GCJ02 = (116.487586, 39.991754)
AMAP_BD09 = (116.49412, 39.997716)

# geoChina R package docs (caijun/geoChina, gcj2bd / bd2gcj): Beijing railway station,
# GCJ-02 (lat 39.90245, lon 116.42703) <-> BD-09 (lat 39.90851, lon 116.43351), 5 decimals.
GEOCHINA_GCJ02 = (116.42703, 39.90245)
GEOCHINA_BD09 = (116.43351, 39.90851)

YANGZHOU = (119.43, 32.19)


def assert_close(actual, expected, tol):
    assert abs(actual[0] - expected[0]) <= tol, (actual, expected)
    assert abs(actual[1] - expected[1]) <= tol, (actual, expected)


def china_sample(n: int = 2000, seed: int = 7):
    rng = np.random.default_rng(seed)
    return rng.uniform(75.0, 135.0, n), rng.uniform(5.0, 53.0, n)


@pytest.mark.parametrize("wgs_lon, wgs_lat, gcj_lon, gcj_lat", EVILTRANSFORM_WGS_GCJ)
def test_wgs84_to_gcj02_matches_eviltransform_reference(wgs_lon, wgs_lat, gcj_lon, gcj_lat):
    assert_close(wgs84_to_gcj02(wgs_lon, wgs_lat), (gcj_lon, gcj_lat), 1e-9)


@pytest.mark.parametrize("wgs_lon, wgs_lat, gcj_lon, gcj_lat", EVILTRANSFORM_WGS_GCJ)
def test_gcj02_to_wgs84_recovers_eviltransform_reference_within_1e6_degree(
    wgs_lon, wgs_lat, gcj_lon, gcj_lat
):
    assert_close(gcj02_to_wgs84(gcj_lon, gcj_lat), (wgs_lon, wgs_lat), 1e-6)


def test_forward_conversions_match_coordtransform_reference():
    assert_close(wgs84_to_gcj02(*COORDTRANSFORM_INPUT), COORDTRANSFORM_WGS84_TO_GCJ02, 1e-9)
    assert_close(gcj02_to_bd09(*COORDTRANSFORM_INPUT), COORDTRANSFORM_GCJ02_TO_BD09, 1e-9)


def test_exact_inverses_stay_within_1e6_degree_of_coordtransform_approximations():
    assert_close(gcj02_to_wgs84(*COORDTRANSFORM_INPUT), COORDTRANSFORM_GCJ02_TO_WGS84_APPROX, 1e-6)
    assert_close(bd09_to_gcj02(*COORDTRANSFORM_INPUT), COORDTRANSFORM_BD09_TO_GCJ02_APPROX, 1e-6)


def test_exact_inverses_undo_the_coordtransform_forward_pairs():
    assert_close(gcj02_to_wgs84(*COORDTRANSFORM_WGS84_TO_GCJ02), COORDTRANSFORM_INPUT, 1e-9)
    assert_close(bd09_to_gcj02(*COORDTRANSFORM_GCJ02_TO_BD09), COORDTRANSFORM_INPUT, 1e-9)


def test_gcj02_to_bd09_matches_aliyun_reference():
    assert_close(gcj02_to_bd09(*ALIYUN_GCJ02), ALIYUN_BD09, 1e-6)
    assert_close(bd09_to_gcj02(*ALIYUN_BD09), ALIYUN_GCJ02, 1e-6)


def test_amap_example_converts_through_gcj02_to_bd09():
    assert_close(wgs84_to_gcj02(*AMAP_WGS84), AMAP_GCJ02, 1e-6)
    assert_close(gcj02_to_bd09(*AMAP_GCJ02), AMAP_BD09, 1e-6)
    assert_close(wgs84_to_bd09(*AMAP_WGS84), AMAP_BD09, 2e-6)
    assert_close(bd09_to_wgs84(*AMAP_BD09), AMAP_WGS84, 2e-6)


def test_beijing_railway_station_matches_geochina_reference():
    assert_close(gcj02_to_bd09(*GEOCHINA_GCJ02), GEOCHINA_BD09, 1e-5)
    assert_close(bd09_to_gcj02(*GEOCHINA_BD09), GEOCHINA_GCJ02, 1e-5)


def test_gcj02_moves_a_point_in_yangzhou_by_hundreds_of_metres():
    lon, lat = wgs84_to_gcj02(*YANGZHOU)
    east = (lon - YANGZHOU[0]) * 111_320 * math.cos(math.radians(lat))
    north = (lat - YANGZHOU[1]) * 110_574
    metres = math.hypot(east, north)
    assert 100 < metres < 1000


def test_wgs84_gcj02_round_trip_is_exact_to_1e9_degree():
    lon, lat = china_sample()
    back = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    assert np.abs(back[0] - lon).max() < 1e-9
    assert np.abs(back[1] - lat).max() < 1e-9
    again = wgs84_to_gcj02(*gcj02_to_wgs84(lon, lat))
    assert np.abs(again[0] - lon).max() < 1e-9
    assert np.abs(again[1] - lat).max() < 1e-9


def test_gcj02_bd09_round_trip_is_exact_to_1e9_degree():
    lon, lat = china_sample()
    back = bd09_to_gcj02(*gcj02_to_bd09(lon, lat))
    assert np.abs(back[0] - lon).max() < 1e-9
    assert np.abs(back[1] - lat).max() < 1e-9


def test_wgs84_bd09_round_trip_is_exact_to_1e9_degree():
    lon, lat = china_sample()
    back = bd09_to_wgs84(*wgs84_to_bd09(lon, lat))
    assert np.abs(back[0] - lon).max() < 1e-9
    assert np.abs(back[1] - lat).max() < 1e-9


@pytest.mark.parametrize(
    "lon, lat",
    [
        (-0.1276, 51.5072),
        (-74.006, 40.7128),
        (139.6917, 35.6895),
        (0.0, 0.0),
        (72.0, 30.0),
        (100.0, 56.0),
    ],
)
def test_points_out_of_china_are_not_obfuscated(lon, lat):
    assert out_of_china(lon, lat)
    assert wgs84_to_gcj02(lon, lat) == (lon, lat)
    assert gcj02_to_wgs84(lon, lat) == (lon, lat)


def test_china_bounding_box_edges_count_as_china():
    min_lon, min_lat, max_lon, max_lat = CHINA_BBOX
    assert not out_of_china(min_lon, min_lat)
    assert not out_of_china(max_lon, max_lat)
    assert out_of_china(min_lon - 1e-9, min_lat)
    assert out_of_china(max_lon, max_lat + 1e-9)


def test_bd09_shift_applies_out_of_china_too():
    lon, lat = gcj02_to_bd09(-0.1276, 51.5072)
    assert (lon, lat) != (-0.1276, 51.5072)
    assert_close(bd09_to_gcj02(lon, lat), (-0.1276, 51.5072), 1e-9)


def test_arrays_mixing_china_and_abroad_convert_only_the_china_points():
    lon = np.array([YANGZHOU[0], -0.1276, 116.404])
    lat = np.array([YANGZHOU[1], 51.5072, 39.915])
    gx, gy = wgs84_to_gcj02(lon, lat)
    assert (gx[1], gy[1]) == (-0.1276, 51.5072)
    assert gx[0] != lon[0] and gx[2] != lon[2]
    wx, wy = gcj02_to_wgs84(gx, gy)
    np.testing.assert_allclose(wx, lon, atol=1e-9, rtol=0)
    np.testing.assert_allclose(wy, lat, atol=1e-9, rtol=0)


@pytest.mark.parametrize(
    "convert",
    [wgs84_to_gcj02, gcj02_to_wgs84, gcj02_to_bd09, bd09_to_gcj02, wgs84_to_bd09, bd09_to_wgs84],
)
def test_scalar_and_array_forms_agree(convert):
    lon, lat = china_sample(50)
    lon[:5] = [-0.1276, 139.7, 0.0, 150.0, 72.0]
    ax, ay = convert(lon, lat)
    assert isinstance(ax, np.ndarray) and ax.shape == lon.shape and ax.dtype == np.float64
    for i in range(lon.size):
        sx, sy = convert(float(lon[i]), float(lat[i]))
        assert type(sx) is float and type(sy) is float
        assert abs(sx - ax[i]) < 1e-10 and abs(sy - ay[i]) < 1e-10


def test_arrays_keep_their_shape_and_lists_are_accepted():
    lon = np.full((2, 3), YANGZHOU[0])
    lat = np.full((2, 3), YANGZHOU[1])
    x, y = to_wgs84(lon, lat, "bd09")
    assert x.shape == (2, 3) and y.shape == (2, 3)
    lx, ly = wgs84_to_gcj02([YANGZHOU[0]], [YANGZHOU[1]])
    assert lx.shape == (1,)
    numpy_scalars = (np.float64(YANGZHOU[0]), np.float64(YANGZHOU[1]))
    assert wgs84_to_gcj02(*numpy_scalars) == wgs84_to_gcj02(*YANGZHOU)


def test_conversion_does_not_modify_its_input():
    lon = np.array([YANGZHOU[0]])
    lat = np.array([YANGZHOU[1]])
    to_wgs84(lon, lat, "wgs84")[0][0] = 0.0
    gcj02_to_wgs84(lon, lat)
    assert lon[0] == YANGZHOU[0] and lat[0] == YANGZHOU[1]


def test_nan_propagates_without_error():
    x, y = gcj02_to_wgs84(np.array([np.nan, YANGZHOU[0]]), np.array([YANGZHOU[1], YANGZHOU[1]]))
    assert math.isnan(x[0]) and not math.isnan(x[1])
    sx, sy = bd09_to_wgs84(math.nan, math.nan)
    assert math.isnan(sx) and math.isnan(sy)


def test_lon_and_lat_of_different_shapes_are_refused():
    with pytest.raises(ValueError, match="个数不一致"):
        wgs84_to_gcj02(np.zeros(3), np.zeros(2))


@pytest.mark.parametrize(
    "crs, convert",
    [
        ("wgs84", None),
        ("gcj02", gcj02_to_wgs84),
        ("bd09", bd09_to_wgs84),
        (Crs.GCJ02, gcj02_to_wgs84),
        ("BD09", bd09_to_wgs84),
    ],
)
def test_to_wgs84_dispatches_on_the_named_system(crs, convert):
    expected = YANGZHOU if convert is None else convert(*YANGZHOU)
    assert to_wgs84(*YANGZHOU, crs) == expected


@pytest.mark.parametrize("crs", ["cgcs2000", "", "gcj-02", None])
def test_unknown_coordinate_system_is_refused_in_chinese(crs):
    with pytest.raises(ValueError, match="不支持的坐标系"):
        to_wgs84(*YANGZHOU, crs)
    with pytest.raises(ValueError, match="不支持的坐标系"):
        parse_crs(crs)


NOT_POSITIONS = [(math.inf, 32.0), (-math.inf, 1e308), (math.nan, math.nan), (1e308, 1e308)]


@pytest.mark.parametrize("crs", ["wgs84", "gcj02"])
def test_values_that_are_not_positions_pass_through_gcj02_unchanged(crs):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for lon, lat in NOT_POSITIONS:
            x, y = to_wgs84(lon, lat, crs)
            assert (x, y) == (lon, lat) or (math.isnan(x) and math.isnan(lon))
        ax, ay = to_wgs84(*map(np.array, zip(*NOT_POSITIONS, strict=True)), crs)
        np.testing.assert_array_equal(ax, [p[0] for p in NOT_POSITIONS])


def test_values_that_are_not_positions_become_nan_through_bd09_without_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for lon, lat in NOT_POSITIONS:
            assert all(math.isnan(v) for v in bd09_to_wgs84(lon, lat))
            assert all(math.isnan(v) for v in wgs84_to_bd09(lon, lat))
        lons = np.array([p[0] for p in NOT_POSITIONS] + [YANGZHOU[0]])
        lats = np.array([p[1] for p in NOT_POSITIONS] + [YANGZHOU[1]])
        x, y = bd09_to_wgs84(lons, lats)
        assert np.isnan(x[:-1]).all() and np.isnan(y[:-1]).all()
        assert np.isfinite(x[-1]) and np.isfinite(y[-1])
