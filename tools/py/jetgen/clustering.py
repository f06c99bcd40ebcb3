# Anti-kT clustering of one event with FastJet's Python bindings (E-scheme recombination).
# Returns constituent indices per jet so that jet building (jet_arrays.py) stays FastJet-free.
import fastjet
import numpy as np


def fastjet_version():
    return fastjet.fastjet_version_string().strip()


class AntiKt:
    """Anti-kT with radius R; cluster() gives the inclusive jets above pt_min, hardest first."""

    def __init__(self, radius):
        self.radius = radius
        self.jet_def = fastjet.JetDefinition(fastjet.antikt_algorithm, radius)

    def cluster(self, px, py, pz, e, pt_min):
        """Inputs: float arrays [n] in GeV. Returns [indices into the inputs] per jet by decreasing pt."""
        inputs = []
        for i, (a, b, c, d) in enumerate(zip(px.tolist(), py.tolist(), pz.tolist(), e.tolist())):
            pj = fastjet.PseudoJet(a, b, c, d)
            pj.set_user_index(i)
            inputs.append(pj)
        sequence = fastjet.ClusterSequence(inputs, self.jet_def)
        jets = fastjet.sorted_by_pt(sequence.inclusive_jets(pt_min))
        # Constituent lists are read while `sequence` is still alive.
        return [np.array([c.user_index() for c in jet.constituents()], dtype=np.int64) for jet in jets]


def print_banner_once():
    """FastJet prints its banner at the first clustering of a process; doing that once here,
    before worker processes are forked, keeps the log to a single banner."""
    pj = fastjet.PseudoJet(1.0, 0.0, 0.0, 1.0)
    fastjet.ClusterSequence([pj], fastjet.JetDefinition(fastjet.antikt_algorithm, 0.4))
