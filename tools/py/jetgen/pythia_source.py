# One Pythia 8 instance producing events as numpy arrays of visible final-state particles,
# made massless (E = |p|, jet-samples.md §2.4 step 2), plus the two outgoing hard-process partons.
import contextlib
import os
import tempfile

import numpy as np

from .settings import pythia_settings

# pythia8mc's module initialisation fails ("initialization failed" after a SyntaxError) when the working
# directory holds a folder python/ with a CMakeLists.txt in it, as this repository's root does (the
# Python bindings): import it from an empty directory instead.
with tempfile.TemporaryDirectory() as _neutral, contextlib.chdir(_neutral):
    import pythia8mc


class PythiaSource:
    def __init__(self, jet_type, seed):
        self.settings = pythia_settings(jet_type, seed)
        self.pythia = pythia8mc.Pythia("", False)  # no banner
        for line in self.settings:
            if not self.pythia.readString(line):
                raise RuntimeError(f"Pythia rejected the setting '{line}'")
        if not self.pythia.init():
            raise RuntimeError("Pythia initialisation failed")
        self.version = f"{self.pythia.parm('Pythia:versionNumber'):.3f}"
        self.failed = 0

    def next_event(self):
        """Generate until an event succeeds. Returns (px, py, pz, e, partons).

        px..e: float64 [n] of the particles with isFinal() and isVisible() (neutrinos dropped);
        partons: [(pdg_id, eta, phi)] of process-record entries 5 and 6.
        """
        while not self.pythia.next():
            self.failed += 1
        event = self.pythia.event
        mom = []
        for k in range(event.size()):
            p = event[k]
            if p.isFinal() and p.isVisible():  # isFinal() first: it is the cheaper test
                mom.append((p.px(), p.py(), p.pz()))
        mom = np.array(mom, dtype=np.float64).reshape(-1, 3)
        e = np.sqrt(np.square(mom).sum(axis=1))  # massless treatment: E = |p|
        process = self.pythia.process
        partons = [(process[i].id(), process[i].eta(), process[i].phi()) for i in (5, 6)]
        return mom[:, 0], mom[:, 1], mom[:, 2], e, partons

    def cross_section(self):
        """Generated cross section and its error in mb."""
        info = self.pythia.infoPython()
        return info.sigmaGen(), info.sigmaErr()
