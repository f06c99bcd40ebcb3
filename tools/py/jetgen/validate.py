# Python mirror of the loader's structure and content checks (jet-samples.md §4.2-§4.3) for files
# this project writes; strict mode turns the W* warnings into errors, as for the C++ loader.
import numpy as np

FEATURE = ("eta_rel", "phi_rel", "pt_rel", "mask")


def _report(problems, ok, message):
    """Adds `message` with the first offending index and the count if any entry of `ok` is False."""
    bad = np.argwhere(~np.asarray(ok))
    if bad.size:
        problems.append(f"{message}: {len(bad)} offenders, first at index {tuple(int(i) for i in bad[0])}")


def check_arrays(pf, jf, strict=True):
    """Content checks C1-C13 (and W7, W11, W13 when strict). pf: [N, P, 4], jf: [N, 4].
    Returns a list of problem messages; empty means the data pass."""
    problems = []
    pf = np.asarray(pf, dtype=np.float64)
    jf = np.asarray(jf, dtype=np.float64)
    _report(problems, np.isfinite(pf), "C1 particle_features non-finite")
    _report(problems, np.isfinite(jf), "C1 jet_features non-finite")
    if problems:
        return problems
    mask = pf[..., 3]
    real = mask == 1.0
    _report(problems, (mask == 0.0) | real, "C2 mask not 0 or 1")
    # C4: a real slot may not follow a padding slot.
    _report(problems, ~(real[:, 1:] & ~real[:, :-1]), "C4 real particle after padding")
    _report(problems, real[..., None] | (pf[..., :3] == 0.0), "C5 padding slot with non-zero feature")
    pt = pf[..., 2]
    _report(problems, ~real | ((pt > 0) & (pt <= 1.01)), "C6 pt_rel outside (0, 1]")
    sum_pt = (pt * real).sum(axis=1)
    _report(problems, sum_pt <= 1.2, "C7 sum of pt_rel > 1.2")
    both = real[:, 1:] & real[:, :-1]
    _report(problems, ~both | (pt[:, 1:] <= pt[:, :-1] * (1 + 1e-6) + 1e-9), "C8 pt_rel not non-increasing")
    n_slots = pf.shape[1]
    expected = np.minimum(jf[:, 3], n_slots)
    if strict:
        _report(problems, real.sum(axis=1) == expected, "C9 real slots != min(num_particles, P)")
    _report(problems, real.any(axis=1), "C10 jet without particles")
    _report(problems, ~real | (np.abs(pf[..., 1]) <= np.pi + 1e-6), "C11 |phi_rel| > pi")
    _report(problems, ~real | (np.abs(pf[..., 0]) <= 5), "C12 |eta_rel| > 5")
    jet_ok = (jf[:, 0] > 0) & (jf[:, 2] >= -1e-3 * jf[:, 0]) & (jf[:, 3] >= 0) & (jf[:, 3] == np.round(jf[:, 3]))
    _report(problems, jet_ok, "C13 invalid jet pt, mass or num_particles")
    if strict:
        if not 0.5 <= sum_pt.mean() <= 1.05:
            problems.append(f"W7 mean sum of pt_rel {sum_pt.mean():.3f} outside [0.5, 1.05]")
        _report(problems, ~real | ((np.abs(pf[..., 1]) <= 1.0) & (np.abs(pf[..., 0]) <= 2.0)),
                "W11 particles far from the jet axis")
        _report(problems, (jf[:, 0] >= 300) & (jf[:, 0] <= 5000) & (np.abs(jf[:, 1]) <= 3),
                "W13 jet pt or eta outside the expected range")
    return problems


def check_file(path, strict=True):
    """Structure checks S5-S11 and W1, then content checks, on an HDF5 file (needs h5py)."""
    import h5py
    with h5py.File(path, "r") as f:
        for name in ("particle_features", "jet_features"):
            if name not in f:
                return [f"S5 '{path}' has no dataset '{name}' (root holds: {', '.join(f)})"]
            if not isinstance(f[name], h5py.Dataset):
                return [f"S6 '{name}' in '{path}' is not a dataset"]
            if f[name].dtype.kind not in "fiu":
                return [f"S11 '{name}' has element type {f[name].dtype}"]
        pfd, jfd = f["particle_features"], f["jet_features"]
        if pfd.ndim != 3 or pfd.shape[2] != 4 or jfd.ndim != 2 or jfd.shape[1] != 4:
            return [f"S7/S8 '{path}': shapes {pfd.shape} and {jfd.shape}, expected [N, P, 4] and [N, 4]"]
        if pfd.shape[0] != jfd.shape[0]:
            return [f"S9 '{path}': {pfd.shape[0]} vs {jfd.shape[0]} jets"]
        if pfd.shape[0] == 0 or pfd.shape[1] == 0:
            return [f"S10 '{path}' contains no jets or no particle slots"]
        problems = []
        if strict and pfd.shape[1] not in (30, 150):
            problems.append(f"W1 unusual particle count {pfd.shape[1]}")
        return problems + [f"'{path}': {p}" for p in check_arrays(pfd[()], jfd[()], strict)]
