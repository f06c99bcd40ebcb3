# Building blocks of the offline JetNet stand-in generator (tools/py/make_jets.py).
# Only pythia_source.py needs Pythia and only clustering.py needs FastJet; the rest is numpy/h5py.
