# Generator settings of jet-samples.md §2.3-§2.6: Pythia strings, presets, jet selection constants.
# Everything the driver records in the output file's attributes is defined here.

# Presets differ only in the anti-kT radius (jet-samples.md §2.6).
PRESETS = {
    "jetnet-like": 0.4,  # reproduces the shapes of the real JetNet distributions
    "published": 0.8,    # the radius the JetNet text states
}

PTHAT_WINDOW = (995.0, 1005.0)   # GeV: hard-process pt window, relative width 1 % around 1 TeV
JET_PT_WINDOW = (800.0, 1600.0)  # GeV: selection of measured jet pt ("1 TeV bin")
JET_ETA_MAX = 2.5                # guard only; never binds at these kinematics
INCLUSIVE_PT_MIN = 100.0         # GeV: inclusive jets kept after clustering
CANDIDATES_PER_EVENT = 2         # the two hardest jets are candidates (1 mimics "<= 1 jet/event")

COMMON_SETTINGS = [
    "Beams:eCM = 13000",
    "Tune:pp = 14",
    f"PhaseSpace:pTHatMin = {PTHAT_WINDOW[0]:g}",
    f"PhaseSpace:pTHatMax = {PTHAT_WINDOW[1]:g}",
    "Next:numberCount = 0",
    "Print:quiet = on",
]

PROCESS_SETTINGS = {
    "g": ["HardQCD:gg2gg = on", "HardQCD:qqbar2gg = on"],
    "q": ["HardQCD:qq2qq = on", "HardQCD:qqbar2qqbarNew = on", "HardQCD:nQuarkNew = 3"],
    # Both W's decay to quarks, so both tops decay hadronically.
    "t": ["Top:gg2ttbar = on", "Top:qqbar2ttbar = on",
          "24:onMode = off", "24:onIfAny = 1 2 3 4 5"],
}

# |PDG id| an outgoing hard parton must have for a jet matched to it to be kept (jet-samples.md §2.4 step 6).
MATCH_IDS = {"g": (21,), "q": (1, 2, 3), "t": (6,)}

JET_TYPES = tuple(PROCESS_SETTINGS)
SEED_MAX = 900_000_000  # Pythia accepts Random:seed up to 900,000,000


def pythia_settings(jet_type, seed):
    """All readString() lines for one job of the given jet type and seed."""
    if jet_type not in PROCESS_SETTINGS:
        raise ValueError(f"unknown jet type '{jet_type}', expected one of {', '.join(JET_TYPES)}")
    if not 1 <= seed <= SEED_MAX:
        raise ValueError(f"seed {seed} outside 1..{SEED_MAX}")
    return COMMON_SETTINGS + PROCESS_SETTINGS[jet_type] + [
        "Random:setSeed = on", f"Random:seed = {seed}"]
