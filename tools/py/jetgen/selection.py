# Jet selection of jet-samples.md §2.4 steps 4-6: hardest candidates, pt/eta window, and matching
# to an outgoing hard-process parton of the required flavour within Delta R < R.
import numpy as np

from .kinematics import delta_r


def matched_parton(jet_eta, jet_phi, partons):
    """Index of the parton nearest to the jet in (eta, phi) and its distance; partons: [(id, eta, phi)]."""
    if not partons:
        return None, np.inf
    dr = [float(delta_r(jet_eta, jet_phi, p_eta, p_phi)) for _, p_eta, p_phi in partons]
    i = int(np.argmin(dr))
    return i, dr[i]


def select_jets(jets, partons, radius, match_ids, candidates, pt_window, eta_max):
    """Indices of the jets to keep.

    jets: [(pt, eta, phi)] sorted by decreasing pt; partons: [(pdg_id, eta, phi)] of the hard
    process's outgoing partons; match_ids: accepted |pdg_id|. Only the first `candidates` jets
    are considered; a jet is kept if pt_window[0] < pt < pt_window[1], |eta| < eta_max and its
    nearest parton lies within Delta R < radius and has an accepted flavour.
    """
    kept = []
    for i, (pt, eta, phi) in enumerate(jets[:candidates]):
        if not (pt_window[0] < pt < pt_window[1] and abs(eta) < eta_max):
            continue
        j, dr = matched_parton(eta, phi, partons)
        if j is not None and dr < radius and abs(partons[j][0]) in match_ids:
            kept.append(i)
    return kept
