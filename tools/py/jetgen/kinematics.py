# Small vectorised kinematics helpers shared by jet building, selection and file statistics.
# Conventions follow jet-samples.md §1.3 (phi wrapping) and §1.5 (relative jet mass).
import numpy as np


def wrap_phi(x):
    """Wrap angles into [-pi, pi): ((x + pi) mod 2pi) - pi with a non-negative modulo (jet-samples.md §1.3)."""
    return np.mod(np.asarray(x, dtype=np.float64) + np.pi, 2.0 * np.pi) - np.pi


def pt_eta_phi(px, py, pz):
    """Transverse momentum, pseudorapidity asinh(pz/pt) and azimuth atan2(py, px) in (-pi, pi]."""
    px, py, pz = (np.asarray(v, dtype=np.float64) for v in (px, py, pz))
    pt = np.hypot(px, py)
    with np.errstate(divide="ignore", invalid="ignore"):
        eta = np.arcsinh(pz / pt)  # pseudorapidity: sinh(eta) = pz / pt
    return pt, eta, np.arctan2(py, px)


def invariant_mass(e, px, py, pz):
    """sqrt(max(0, E^2 - |p|^2)) elementwise."""
    m2 = np.square(e) - np.square(px) - np.square(py) - np.square(pz)
    return np.sqrt(np.maximum(m2, 0.0))


def delta_r(eta1, phi1, eta2, phi2):
    """Distance in the (eta, phi) plane with the azimuth difference wrapped."""
    return np.hypot(np.asarray(eta1) - eta2, wrap_phi(np.asarray(phi1) - phi2))


def relative_mass(particle_features):
    """m_rel per jet from stored [N, P, 4] features (jet-samples.md §1.5).

    Each real slot is a massless four-vector with pt = pt_rel, eta = eta_rel, phi = phi_rel;
    padding slots have pt_rel = 0 and so contribute nothing.
    """
    f = np.asarray(particle_features, dtype=np.float64)
    eta, phi, pt = f[..., 0], f[..., 1], f[..., 2] * (f[..., 3] > 0)
    e = (pt * np.cosh(eta)).sum(-1)
    px = (pt * np.cos(phi)).sum(-1)
    py = (pt * np.sin(phi)).sum(-1)
    pz = (pt * np.sinh(eta)).sum(-1)
    return invariant_mass(e, px, py, pz)
