# Turns one clustered jet (its constituents' four-momenta) into the stored JetNet rows (jet-samples.md §2.5):
# relative coordinates of the P highest-pt constituents, zero padding, mask, and jet features.
import numpy as np

from .kinematics import invariant_mass, pt_eta_phi, wrap_phi

PARTICLE_FEATURES = ("etarel", "phirel", "ptrel", "mask")
JET_FEATURES = ("pt", "eta", "mass", "num_particles")


def jet_four_vector(px, py, pz, e):
    """E-scheme jet: the plain sum of the constituents' four-momenta -> (pt, eta, phi, mass)."""
    jpx, jpy, jpz, je = (float(np.sum(v, dtype=np.float64)) for v in (px, py, pz, e))
    pt, eta, phi = pt_eta_phi(jpx, jpy, jpz)
    return float(pt), float(eta), float(phi), float(invariant_mass(je, jpx, jpy, jpz))


def build_jet_rows(px, py, pz, e, num_slots):
    """Stored arrays of one jet.

    px, py, pz, e: constituent four-momenta in GeV (any order; computed in float64).
    Returns (particle_features float32 [num_slots, 4] as [eta_rel, phi_rel, pt_rel, mask],
             jet_features float32 [4] as [pt, eta, mass, num_particles]).
    Constituents are ordered by decreasing pt with ties kept in input order; only the first
    num_slots are stored, remaining slots are all zero; num_particles counts every constituent.
    """
    px, py, pz, e = (np.asarray(v, dtype=np.float64).ravel() for v in (px, py, pz, e))
    n = px.size
    if n == 0:
        raise ValueError("a jet needs at least one constituent")
    jet_pt, jet_eta, jet_phi, jet_mass = jet_four_vector(px, py, pz, e)
    pt, eta, phi = pt_eta_phi(px, py, pz)
    order = np.argsort(-pt, kind="stable")[:num_slots]
    k = order.size
    rows = np.zeros((num_slots, 4), dtype=np.float64)
    rows[:k, 0] = eta[order] - jet_eta
    rows[:k, 1] = wrap_phi(phi[order] - jet_phi)
    rows[:k, 2] = pt[order] / jet_pt
    rows[:k, 3] = 1.0
    jet = np.array([jet_pt, jet_eta, jet_mass, n], dtype=np.float64)
    return rows.astype(np.float32), jet.astype(np.float32)
