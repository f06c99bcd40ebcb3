# Tests of the stand-in generator without Pythia: jet building, selection, writing and checks on
# hand-made particle lists, plus the committed sample files against jet-samples.md §2.8 bands.
# Run: build/pyenv/bin/python -m pytest tools/py   (or `make data-test`)
import math
import os
import sys

import pytest

np = pytest.importorskip("numpy")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from jetgen.jet_arrays import build_jet_rows  # noqa: E402
from jetgen.kinematics import relative_mass, wrap_phi  # noqa: E402
from jetgen.progress import format_duration, progress_line  # noqa: E402
from jetgen.selection import select_jets  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SAMPLES = os.path.join(REPO, "data", "samples")


def massless(pt, eta, phi):
    """Four-momenta (px, py, pz, E) of massless particles given in (pt, eta, phi)."""
    pt, eta, phi = (np.asarray(v, dtype=np.float64) for v in (pt, eta, phi))
    return pt * np.cos(phi), pt * np.sin(phi), pt * np.sinh(eta), pt * np.cosh(eta)


# ---- kinematics -------------------------------------------------------------------------------

def test_wrap_phi_gives_half_open_interval():
    got = wrap_phi([0.0, math.pi, -math.pi, 1.5 * math.pi, -1.5 * math.pi, 7.0, 2 * math.pi])
    want = [0.0, -math.pi, -math.pi, -0.5 * math.pi, 0.5 * math.pi, 7.0 - 2 * math.pi, 0.0]
    assert np.allclose(got, want, atol=1e-12)


def test_relative_mass_two_particles_and_edge_cases():
    for d in (0.1, 0.3, 1.0):
        jets = np.zeros((1, 30, 4))
        jets[0, 0] = [0.2, 0.0, 0.5, 1.0]
        jets[0, 1] = [0.2, d, 0.5, 1.0]
        assert relative_mass(jets)[0] == pytest.approx(abs(math.sin(d / 2)), rel=1e-12)
    single = np.zeros((1, 30, 4))
    single[0, 0] = [0.3, -0.1, 1.0, 1.0]
    assert relative_mass(single)[0] == pytest.approx(0.0, abs=1e-7)
    assert relative_mass(np.zeros((1, 30, 4)))[0] == 0.0


# ---- jet building -----------------------------------------------------------------------------

def test_two_particle_jet_features_and_relative_coordinates():
    pt, eta, phi = [300.0, 100.0], [0.2, -0.1], [0.1, -0.2]
    px, py, pz, e = massless(pt, eta, phi)
    rows, jet = build_jet_rows(px, py, pz, e, 30)
    assert rows.dtype == np.float32 and rows.shape == (30, 4)
    assert jet.dtype == np.float32 and jet.shape == (4,)
    # Expected jet from the hand-summed four-vector.
    jpx, jpy, jpz = px.sum(), py.sum(), pz.sum()
    jpt = math.hypot(jpx, jpy)
    jeta = math.asinh(jpz / jpt)
    jphi = math.atan2(jpy, jpx)
    # Massless pair: m^2 = 2 pt1 pt2 (cosh d_eta - cos d_phi).
    m = math.sqrt(2 * 300 * 100 * (math.cosh(0.3) - math.cos(0.3)))
    assert jet == pytest.approx([jpt, jeta, m, 2], rel=1e-6)
    assert rows[0] == pytest.approx([0.2 - jeta, 0.1 - jphi, 300 / jpt, 1], rel=1e-5, abs=1e-6)
    assert rows[1] == pytest.approx([-0.1 - jeta, -0.2 - jphi, 100 / jpt, 1], rel=1e-5, abs=1e-6)
    assert not rows[2:].any()


def test_phi_rel_is_wrapped_across_the_pi_boundary():
    px, py, pz, e = massless([200.0, 200.0], [0.0, 0.0], [math.pi - 0.05, -math.pi + 0.05])
    rows, jet = build_jet_rows(px, py, pz, e, 30)
    assert abs(abs(float(jet[1]))) < 1e-6
    assert sorted(np.abs(rows[:2, 1])) == pytest.approx([0.05, 0.05], abs=1e-6)
    assert rows[0, 1] * rows[1, 1] < 0
    assert np.all(np.abs(rows[:, 1]) < 0.1)


def test_particles_ordered_by_decreasing_pt_rel_with_stable_ties():
    pts = [5.0, 50.0, 20.0, 20.0, 1.0]
    etas = [0.01, 0.02, 0.03, 0.04, 0.05]  # labels: find which particle went where
    px, py, pz, e = massless(pts, etas, [0.0] * 5)
    rows, jet = build_jet_rows(px, py, pz, e, 30)
    order = np.round(rows[:5, 0] + float(jet[1]), 4)
    assert list(order) == pytest.approx([0.02, 0.03, 0.04, 0.01, 0.05], abs=1e-4)
    assert np.all(np.diff(rows[:5, 2]) <= 0)


def test_truncation_to_30_keeps_highest_pt_and_counts_all():
    rng = np.random.default_rng(3)
    pt = rng.uniform(1, 100, 40)
    px, py, pz, e = massless(pt, rng.uniform(-0.3, 0.3, 40), rng.uniform(-0.3, 0.3, 40))
    rows, jet = build_jet_rows(px, py, pz, e, 30)
    assert jet[3] == 40
    assert np.all(rows[:, 3] == 1)
    jet_pt = math.hypot(px.sum(), py.sum())
    assert rows[:, 2] == pytest.approx(np.sort(pt)[::-1][:30] / jet_pt, rel=1e-5)
    assert rows[:, 2].sum() < pt.sum() / jet_pt


def test_padding_and_mask_for_short_jets():
    px, py, pz, e = massless([10.0, 30.0, 20.0], [0.1, 0.0, -0.1], [0.0, 0.1, -0.1])
    for slots in (30, 150):
        rows, jet = build_jet_rows(px, py, pz, e, slots)
        assert rows.shape == (slots, 4)
        assert list(rows[:, 3]) == [1.0] * 3 + [0.0] * (slots - 3)
        assert not rows[3:].any()
        assert np.all(rows[:3, 2] > 0)
        assert jet[3] == 3


def test_single_particle_jet():
    px, py, pz, e = massless([1000.0], [0.7], [-2.0])
    rows, jet = build_jet_rows(px, py, pz, e, 30)
    assert rows[0] == pytest.approx([0.0, 0.0, 1.0, 1.0], abs=1e-6)
    assert jet == pytest.approx([1000.0, 0.7, 0.0, 1.0], abs=1e-3)
    with pytest.raises(ValueError):
        build_jet_rows([], [], [], [], 30)


# ---- selection --------------------------------------------------------------------------------

WINDOW = (800.0, 1600.0)


def test_selection_requires_flavour_of_nearest_parton_within_r():
    jets = [(1000.0, 0.0, 0.0), (950.0, 1.0, 3.1)]
    partons = [(21, 0.1, 0.05), (2, 1.0, -3.1)]  # second match lies across the phi wrap
    assert select_jets(jets, partons, 0.4, (21,), 2, WINDOW, 2.5) == [0]
    assert select_jets(jets, partons, 0.4, (1, 2, 3), 2, WINDOW, 2.5) == [1]
    # An anti-quark matches by |id|; a charm quark does not count as light.
    assert select_jets(jets, [(21, 0.1, 0.05), (-2, 1.0, -3.1)], 0.4, (1, 2, 3), 2, WINDOW, 2.5) == [1]
    assert select_jets(jets, [(21, 0.1, 0.05), (4, 1.0, -3.1)], 0.4, (1, 2, 3), 2, WINDOW, 2.5) == []
    # Nearest parton too far away.
    assert select_jets(jets[:1], [(21, 0.5, 0.0)], 0.4, (21,), 2, WINDOW, 2.5) == []
    assert select_jets(jets[:1], [(21, 0.5, 0.0)], 0.8, (21,), 2, WINDOW, 2.5) == [0]


def test_selection_nearest_parton_decides_even_if_other_is_right_flavour():
    jets = [(1000.0, 0.0, 0.0)]
    partons = [(21, 0.05, 0.0), (2, 0.2, 0.0)]  # gluon is nearer
    assert select_jets(jets, partons, 0.4, (1, 2, 3), 2, WINDOW, 2.5) == []


def test_selection_pt_eta_window_and_candidate_count():
    partons = [(6, 0.0, 0.0), (-6, 0.0, 2.0), (6, 0.0, -2.0)]
    jets = [(1700.0, 0.0, 0.0), (900.0, 0.0, 2.0), (900.0, 0.0, -2.0)]
    assert select_jets(jets, partons, 0.8, (6,), 2, WINDOW, 2.5) == [1]
    assert select_jets(jets, partons, 0.8, (6,), 3, WINDOW, 2.5) == [1, 2]
    assert select_jets(jets[1:], partons, 0.8, (6,), 1, WINDOW, 2.5) == [0]
    assert select_jets([(800.0, 0.0, 2.0)], partons, 0.8, (6,), 2, WINDOW, 2.5) == []
    assert select_jets([(900.0, 2.6, 2.0)], [(6, 2.6, 2.0)], 0.8, (6,), 2, WINDOW, 2.5) == []


# ---- clustering (needs FastJet, not Pythia) ---------------------------------------------------

def test_antikt_separates_two_sprays():
    pytest.importorskip("fastjet")
    from jetgen.clustering import AntiKt
    pt = [500.0, 300.0, 50.0, 400.0, 200.0, 0.5]
    eta = [0.0, 0.1, -0.1, 0.5, 0.6, 3.0]
    phi = [0.0, 0.1, -0.05, 3.0, -3.1, 1.5]  # second spray straddles phi = pi
    px, py, pz, e = massless(pt, eta, phi)
    jets = AntiKt(0.4).cluster(px, py, pz, e, 100.0)
    assert [sorted(j.tolist()) for j in jets] == [[0, 1, 2], [3, 4]]


# ---- writing and validation -------------------------------------------------------------------

def synthetic_jets(n=50, slots=30, seed=0):
    """Valid stored arrays built from random hand-made massless particle lists."""
    rng = np.random.default_rng(seed)
    pf = np.zeros((n, slots, 4), np.float32)
    jf = np.zeros((n, 4), np.float32)
    for i in range(n):
        k = int(rng.integers(1, 60))
        pt = rng.exponential(30.0, k) + 0.1
        pt *= 1000.0 / pt.sum()
        pf[i], jf[i] = build_jet_rows(*massless(pt, rng.normal(0, 0.1, k), rng.normal(0, 0.1, k)), slots)
    return pf, jf


def test_writer_round_trip_and_attributes(tmp_path):
    h5py = pytest.importorskip("h5py")
    from jetgen.writer import write_jetnet_file
    pf, jf = synthetic_jets()
    path = tmp_path / "g.h5"
    path.write_bytes(b"old content")  # an existing file is replaced atomically
    write_jetnet_file(str(path), pf, jf, {"jet_type": "g", "seed": 7, "jet_radius": 0.4,
                                          "pythia_settings": ["A = 1", "B = 2"]})
    assert sorted(os.listdir(tmp_path)) == ["g.h5"]
    with h5py.File(path, "r") as f:
        assert set(f) == {"particle_features", "jet_features"}
        for name, data in (("particle_features", pf), ("jet_features", jf)):
            d = f[name]
            assert d.dtype == np.dtype("<f4") and d.compression == "gzip" and d.shuffle
            assert np.array_equal(d[()], data)
        assert f.attrs["jet_type"] == "g" and f.attrs["seed"] == 7
        assert f.attrs["pythia_settings"] == "A = 1\nB = 2"


def test_writer_failure_leaves_no_file(tmp_path):
    pytest.importorskip("h5py")
    from jetgen.writer import write_jetnet_file
    pf, jf = synthetic_jets(5)
    with pytest.raises(ValueError):
        write_jetnet_file(str(tmp_path / "q.h5"), pf, jf[:4], {})
    with pytest.raises(TypeError):
        write_jetnet_file(str(tmp_path / "q.h5"), pf, jf, {"bad": object()})
    assert os.listdir(tmp_path) == []


def test_uncompressed_option_is_contiguous(tmp_path):
    h5py = pytest.importorskip("h5py")
    from jetgen.writer import write_jetnet_file
    pf, jf = synthetic_jets(5)
    write_jetnet_file(str(tmp_path / "t.h5"), pf, jf, {}, compression="none")
    with h5py.File(tmp_path / "t.h5", "r") as f:
        assert f["particle_features"].chunks is None and f["particle_features"].compression is None


def test_content_checksum_ignores_how_the_file_was_written_but_not_the_jets(tmp_path):
    pytest.importorskip("h5py")
    from jetgen.checksum import content_sha256
    from jetgen.writer import write_jetnet_file
    pf, jf = synthetic_jets(6)
    first, second, changed = (str(tmp_path / name) for name in ("a.h5", "b.h5", "c.h5"))
    write_jetnet_file(first, pf, jf, {"created_utc": "2026-01-01T00:00:00Z"})
    write_jetnet_file(second, pf, jf, {"created_utc": "2026-12-31T23:59:59Z"}, compression="none")
    with open(first, "rb") as a, open(second, "rb") as b:
        assert a.read() != b.read()  # the bytes differ: other attributes, no compression
    assert content_sha256(first) == content_sha256(second)
    pf = pf.copy()
    pf[3, 0, 2] = np.nextafter(pf[3, 0, 2], np.float32(1))  # one value, one unit in the last place
    write_jetnet_file(changed, pf, jf, {})
    assert content_sha256(changed) != content_sha256(first)


def test_validation_accepts_built_jets_and_rejects_each_corruption(tmp_path):
    pytest.importorskip("h5py")
    from jetgen.validate import check_arrays, check_file
    from jetgen.writer import write_jetnet_file
    pf, jf = synthetic_jets()
    write_jetnet_file(str(tmp_path / "g.h5"), pf, jf, {})
    assert check_file(str(tmp_path / "g.h5")) == []
    n_short = int(np.argmin(jf[:, 3]))  # a jet with padding
    corruptions = {
        "C1": lambda p, j: p.__setitem__((3, 0, 0), np.nan),
        "C2": lambda p, j: p.__setitem__((3, 0, 3), 0.5),
        "C4": lambda p, j: p.__setitem__((n_short, 29), [0.1, 0.1, 0.001, 1.0]),
        "C5": lambda p, j: p.__setitem__((n_short, 29, 0), 0.2),
        "C6": lambda p, j: p.__setitem__((3, 0, 2), 150.0),
        "C8": lambda p, j: p.__setitem__((3, 1, 2), p[3, 0, 2] * 1.5),
        "C9": lambda p, j: j.__setitem__((n_short, 3), j[n_short, 3] + 1),
        "C11": lambda p, j: p.__setitem__((3, 0, 1), 4.0),
        "C13": lambda p, j: j.__setitem__((3, 0), -5.0),
    }
    for check, corrupt in corruptions.items():
        p, j = pf.copy(), jf.copy()
        corrupt(p, j)
        problems = check_arrays(p, j)
        assert any(msg.startswith(check) for msg in problems), (check, problems)


def test_progress_line():
    assert progress_line("g", 500, 2000, 10.0) == "g: 500/2000 jets (25.0 %), 50.0 jets/s, ETA 30 s"
    assert progress_line("t", 0, 10, 0.0).endswith("0.0 jets/s, ETA ?")
    assert format_duration(125) == "2 min 05 s" and format_duration(7260) == "2 h 01 min"


def test_driver_arguments():
    import make_jets
    a = make_jets.parse_args(["q", "-n", "3", "-j", "8"])
    assert a.jobs == 3 and a.preset == "jetnet-like" and a.particles == 30
    assert a.output == os.path.join("data", "generated", "q.h5")
    assert make_jets.parse_args(["g", "--particles", "150"]).output.endswith("g150.h5")
    with pytest.raises(SystemExit):
        make_jets.parse_args(["w"])


# ---- committed samples: strict checks and sanity bands of jet-samples.md §2.8 ------------------------

SAMPLE_FILES = {"g": "g.h5", "q": "q.h5", "t": "t.h5"}


@pytest.mark.parametrize("jet_type", sorted(SAMPLE_FILES))
def test_committed_sample_passes_checks_and_bands(jet_type):
    h5py = pytest.importorskip("h5py")
    from jetgen.stats import band_failures, jet_statistics
    from jetgen.validate import check_file
    path = os.path.join(SAMPLES, SAMPLE_FILES[jet_type])
    if not os.path.exists(path):
        pytest.skip(f"{path} not present")
    assert check_file(path, strict=True) == []
    with h5py.File(path, "r") as f:
        assert f.attrs["jet_type"] == jet_type and f.attrs["preset"] == "jetnet-like"
        assert f["particle_features"].shape[1:] == (30, 4) and f["particle_features"].shape[0] >= 1000
        stats = jet_statistics(f["particle_features"][()], f["jet_features"][()])
    assert band_failures(stats, "jetnet-like", jet_type) == []
    assert 0.85 <= stats["mean_sum_pt_rel"] <= 1.0 and stats["max_sum_pt_rel"] <= 1.1
    assert stats["max_abs_eta_rel"] < 0.8 and stats["max_abs_phi_rel"] < 0.8


def test_committed_150_particle_sample():
    h5py = pytest.importorskip("h5py")
    from jetgen.validate import check_file
    path = os.path.join(SAMPLES, "g150.h5")
    if not os.path.exists(path):
        pytest.skip(f"{path} not present")
    assert check_file(path, strict=True) == []
    with h5py.File(path, "r") as f:
        pf, jf = f["particle_features"][()], f["jet_features"][()]
        assert f.attrs["jet_type"] == "g" and f.attrs["preset"] == "jetnet-like"
    assert pf.shape[1] == 150
    real = pf[..., 3].sum(axis=1)
    assert np.array_equal(real, np.minimum(jf[:, 3], 150))
    # With 150 slots nearly every constituent is stored: the sum of pt_rel is >= 1 (jet-samples.md §2.8).
    full = jf[:, 3] <= 150
    assert np.all(pf[full][..., 2].sum(axis=1) >= 1.0 - 1e-4)
    assert 0.07 <= relative_mass(pf).mean() <= 0.10


def test_committed_samples_fit_the_size_budget():
    files = [os.path.join(SAMPLES, n) for n in ("g.h5", "q.h5", "t.h5", "g150.h5")]
    if not all(os.path.exists(f) for f in files):
        pytest.skip("samples not present")
    assert sum(os.path.getsize(f) for f in files) <= 27e6
