# Summary statistics of a JetNet-layout file and the sanity bands of jet-samples.md §2.8, so a
# generated file can be compared with the measured reference numbers.
import numpy as np

from .kinematics import relative_mass

# Spec §2.8 bands (for >= 1,000 jets of a 30-particle file): mean m_rel over the 30 stored
# particles, mean num_particles, fraction of jets with 30 real particles.
BANDS = {
    ("published", "g"): {"mean_m_rel": (0.090, 0.110), "mean_num_particles": (88, 105), "frac_30": (0.99, 1.0)},
    ("published", "q"): {"mean_m_rel": (0.075, 0.091), "mean_num_particles": (54, 66), "frac_30": (0.92, 0.96)},
    ("published", "t"): {"mean_m_rel": (0.140, 0.154), "mean_num_particles": (80, 95), "frac_30": (0.995, 1.0)},
    ("jetnet-like", "g"): {"mean_m_rel": (0.056, 0.067), "mean_num_particles": (62, 75), "frac_30": (0.97, 0.99)},
    ("jetnet-like", "q"): {"mean_m_rel": (0.044, 0.053), "mean_num_particles": (37, 45), "frac_30": (0.66, 0.75)},
    ("jetnet-like", "t"): {"mean_m_rel": (0.117, 0.129), "mean_num_particles": (57, 69), "frac_30": (0.98, 0.995)},
}


def jet_statistics(particle_features, jet_features, slots=30):
    """Statistics over all jets, using the first `slots` particle slots (30 for the bands).

    particle_features: [N, P, 4]; jet_features: [N, 4]. Returns a dict of floats.
    """
    pf = np.asarray(particle_features, dtype=np.float64)[:, :slots]
    jf = np.asarray(jet_features, dtype=np.float64)
    real = pf[..., 3] > 0
    m_rel = relative_mass(pf)
    sum_pt = (pf[..., 2] * real).sum(axis=1)
    return {
        "jets": int(pf.shape[0]),
        "mean_m_rel": float(m_rel.mean()),
        "median_m_rel": float(np.median(m_rel)),
        "mean_num_particles": float(jf[:, 3].mean()),
        "frac_30": float((real.sum(axis=1) >= 30).mean()),
        "mean_sum_pt_rel": float(sum_pt.mean()),
        "max_sum_pt_rel": float(sum_pt.max()),
        "mean_leading_pt_rel": float(pf[:, 0, 2].mean()),
        "max_abs_eta_rel": float(np.abs(pf[..., 0]).max()),
        "max_abs_phi_rel": float(np.abs(pf[..., 1]).max()),
        "jet_pt_mean": float(jf[:, 0].mean()),
        "jet_pt_std": float(jf[:, 0].std()),
        "mean_mass_over_pt": float((jf[:, 2] / jf[:, 0]).mean()),
    }


def band_failures(stats, preset, jet_type):
    """Messages for every banded statistic outside its band of jet-samples.md §2.8 (empty list = pass)."""
    failures = []
    for key, (lo, hi) in BANDS[(preset, jet_type)].items():
        if not lo <= stats[key] <= hi:
            failures.append(f"{jet_type} ({preset}): {key} = {stats[key]:.4g} outside [{lo}, {hi}]")
    return failures
