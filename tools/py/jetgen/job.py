# One generation job: a seeded Pythia instance, clustering, selection and jet building until
# the job's share of jets is reached (jet-samples.md §2.4-§2.5). Reports progress through a callback.
import time

import numpy as np

from . import settings as cfg
from .clustering import AntiKt
from .jet_arrays import build_jet_rows, jet_four_vector
from .selection import select_jets


def run_job(jet_type, seed, n_jets, num_slots, radius, candidates, report=None, report_every=1.0):
    """Generate n_jets jets. Returns a dict with 'particle_features' float32 [n_jets, num_slots, 4],
    'jet_features' float32 [n_jets, 4] and counters (events, failed events, cross section, versions).
    report(jets_done, events_done) is called about every report_every seconds."""
    from .pythia_source import PythiaSource  # imported here so the module loads without Pythia

    cpu_start = time.process_time()
    source = PythiaSource(jet_type, seed)
    antikt = AntiKt(radius)
    particles = np.zeros((n_jets, num_slots, 4), dtype=np.float32)
    jets = np.zeros((n_jets, 4), dtype=np.float32)
    done = events = 0
    last = time.monotonic()
    while done < n_jets:
        px, py, pz, e, partons = source.next_event()
        events += 1
        members = antikt.cluster(px, py, pz, e, cfg.INCLUSIVE_PT_MIN)
        kin = [jet_four_vector(px[m], py[m], pz[m], e[m])[:3] for m in members[:candidates]]
        for i in select_jets(kin, partons, radius, cfg.MATCH_IDS[jet_type], candidates,
                             cfg.JET_PT_WINDOW, cfg.JET_ETA_MAX):
            m = members[i]
            particles[done], jets[done] = build_jet_rows(px[m], py[m], pz[m], e[m], num_slots)
            done += 1
            if done == n_jets:
                break
        if report is not None and time.monotonic() - last >= report_every:
            report(done, events)
            last = time.monotonic()
    if report is not None:
        report(done, events)
    sigma, sigma_err = source.cross_section()
    return {
        "particle_features": particles,
        "jet_features": jets,
        "seed": seed,
        "events": events,
        "failed_events": source.failed,
        "sigma_mb": sigma,
        "sigma_err_mb": sigma_err,
        "pythia_version": source.version,
        "pythia_settings": source.settings,
        "cpu_seconds": time.process_time() - cpu_start,
    }
