#!/usr/bin/env python3
# Offline JetNet stand-in generator (jet-samples.md §2): Pythia 8 events, anti-kT jets, JetNet HDF5
# layout (§1.9). Parallel jobs with distinct seeds are concatenated in job order (§2.7).
import argparse
import datetime
import importlib.metadata
import multiprocessing as mp
import os
import queue as queue_module
import sys
import time
import traceback

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from jetgen import settings as cfg  # noqa: E402
from jetgen.jet_arrays import JET_FEATURES, PARTICLE_FEATURES  # noqa: E402
from jetgen.progress import Progress  # noqa: E402
from jetgen.shards import load_shard, remove_parts, save_shard, shard_path, shard_plan  # noqa: E402
from jetgen.writer import write_jetnet_file  # noqa: E402


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__ or "Generate JetNet-like jets with Pythia 8.")
    ap.add_argument("jet_type", choices=cfg.JET_TYPES, help="g (gluon), q (light quark) or t (top)")
    ap.add_argument("-n", "--jets", type=int, default=10000, help="number of jets (default 10000)")
    ap.add_argument("--preset", choices=sorted(cfg.PRESETS), default="jetnet-like",
                    help="jetnet-like (R = 0.4, default) or published (R = 0.8)")
    ap.add_argument("--particles", type=int, choices=(30, 150), default=30,
                    help="particle slots per jet (30 or 150)")
    ap.add_argument("--seed", type=int, default=1, help="base seed; job j uses seed + j (default 1)")
    ap.add_argument("-j", "--jobs", type=int, default=1, help="parallel jobs (default 1)")
    ap.add_argument("--candidates", type=int, choices=(1, 2), default=cfg.CANDIDATES_PER_EVENT,
                    help="hardest jets per event considered (default 2)")
    ap.add_argument("--compression", choices=("gzip", "none"), default="gzip")
    ap.add_argument("--shard-jets", type=int, default=0,
                    help="generate in resumable shards of this many jets, saved in OUTPUT.parts/ "
                         "(default 0: one shard); a rerun skips the shards already saved")
    ap.add_argument("-o", "--output", help="output file (default data/generated/<type>[150].h5)")
    args = ap.parse_args(argv)
    if args.jets < 1 or args.jobs < 1 or args.shard_jets < 0:
        ap.error("--jets and --jobs must be positive, --shard-jets non-negative")
    if args.jobs > args.jets:
        args.jobs = args.jets
    shards = len(shard_plan(args.jets, args.jobs, args.shard_jets, args.seed))
    if args.seed < 1 or args.seed + shards * args.jobs - 1 > cfg.SEED_MAX:
        ap.error(f"seeds seed..seed+shards*jobs-1 must lie in 1..{cfg.SEED_MAX}")
    if args.output is None:
        suffix = "150" if args.particles == 150 else ""
        args.output = os.path.join("data", "generated", f"{args.jet_type}{suffix}.h5")
    return args


def _worker(index, job_args, queue):
    """Runs one job in a child process; sends ('progress', i, jets, events), ('done', i, result)
    or ('error', i, traceback) through the queue."""
    from jetgen.job import run_job
    try:
        result = run_job(*job_args, report=lambda d, ev: queue.put(("progress", index, d, ev)))
        queue.put(("done", index, result))
    except BaseException:
        queue.put(("error", index, traceback.format_exc()))


def run_jobs(args, radius, label=""):
    shares = [args.jets // args.jobs + (1 if j < args.jets % args.jobs else 0) for j in range(args.jobs)]
    progress = Progress(f"{args.jet_type}{label} ({args.jobs} job{'s' if args.jobs > 1 else ''})", args.jets)
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_worker, daemon=True, args=(
        j, (args.jet_type, args.seed + j, n, args.particles, radius, args.candidates), queue))
        for j, n in enumerate(shares)]
    for p in procs:
        p.start()
    done_per_job = [0] * args.jobs
    results = [None] * args.jobs
    try:
        while any(r is None for r in results):
            try:
                kind, j, *payload = queue.get(timeout=2.0)
            except queue_module.Empty:
                for j, p in enumerate(procs):  # a job killed from outside sends nothing
                    if results[j] is None and p.exitcode not in (None, 0):
                        raise RuntimeError(f"job {j} (seed {args.seed + j}) died with exit code {p.exitcode}")
                continue
            if kind == "error":
                raise RuntimeError(f"job {j} (seed {args.seed + j}) failed:\n{payload[0]}")
            if kind == "progress":
                done_per_job[j] = payload[0]
            else:
                results[j] = payload[0]
                done_per_job[j] = shares[j]
            progress.update(sum(done_per_job))
    finally:
        for p in procs:
            if p.is_alive() and any(r is None for r in results):
                p.terminate()
            p.join()
    return results, progress.finish(args.jets)


def run_shards(args, radius):
    """All jobs' results in shard order. With one shard the jobs run directly; with several, each
    shard is saved as it finishes and shards saved by an earlier, interrupted run are reused."""
    plan = shard_plan(args.jets, args.jobs, args.shard_jets, args.seed)
    if len(plan) == 1:
        return (*run_jobs(args, radius), args.jets)
    results, elapsed, generated = [], 0.0, 0
    for index, jets, seed in plan:
        path = shard_path(args.output, index)
        if os.path.exists(path):
            results += load_shard(path, jets, seed)
            print(f"{args.jet_type}: shard {index + 1}/{len(plan)} already saved in {path}")
            continue
        shard_args = argparse.Namespace(**{**vars(args), "jets": jets, "seed": seed,
                                           "jobs": min(args.jobs, jets)})
        shard_results, shard_elapsed = run_jobs(shard_args, radius, f" shard {index + 1}/{len(plan)}")
        save_shard(path, shard_results)
        results += shard_results
        elapsed += shard_elapsed
        generated += jets
    return results, max(elapsed, 1e-9), generated


def main(argv=None):
    args = parse_args(argv)
    radius = cfg.PRESETS[args.preset]
    from jetgen.clustering import fastjet_version, print_banner_once
    print_banner_once()
    t0 = time.monotonic()
    results, elapsed, generated = run_shards(args, radius)
    particles = np.concatenate([r["particle_features"] for r in results])
    jets = np.concatenate([r["jet_features"] for r in results])
    events = sum(r["events"] for r in results)
    pythia_pkg = importlib.metadata.version("pythia8mc")
    attrs = {
        "jet_type": args.jet_type,
        "particle_feature_names": ",".join(PARTICLE_FEATURES),
        "jet_feature_names": ",".join(JET_FEATURES),
        "generator": f"Pythia {results[0]['pythia_version']} (pythia8mc {pythia_pkg}), "
                     f"{fastjet_version()} (fastjet {importlib.metadata.version('fastjet')}), "
                     "tools/py/make_jets.py",
        "pythia_version": results[0]["pythia_version"],
        "preset": args.preset,
        "jet_algorithm": "anti-kT, E-scheme, massless inputs (E = |p|), visible final-state particles",
        "jet_radius": radius,
        "pthat_window": np.array(cfg.PTHAT_WINDOW),
        "jet_pt_window": np.array(cfg.JET_PT_WINDOW),
        "jet_eta_max": cfg.JET_ETA_MAX,
        "inclusive_jet_pt_min": cfg.INCLUSIVE_PT_MIN,
        "candidates_per_event": args.candidates,
        "flavour_match": f"nearest outgoing hard parton within Delta R < R with |id| in "
                         f"{list(cfg.MATCH_IDS[args.jet_type])}",
        "num_particles_stored": args.particles,
        "seed": args.seed,
        "job_seeds": np.array([r["seed"] for r in results], dtype=np.int64),
        "job_jets": np.array([r["jet_features"].shape[0] for r in results], dtype=np.int64),
        "n_jobs": args.jobs,
        "shard_jets": args.shard_jets,
        "n_events": events,
        "n_failed_events": sum(r["failed_events"] for r in results),
        "jets_per_event": args.jets / events,
        "sigma_gen_mb": float(np.mean([r["sigma_mb"] for r in results])),
        "pythia_settings": results[0]["pythia_settings"][:-1] + ["Random:seed = <seed + job index>"],
        "compression": args.compression,
        "created_utc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    write_jetnet_file(args.output, particles, jets, attrs, args.compression)
    remove_parts(args.output, shard_plan(args.jets, args.jobs, args.shard_jets, args.seed))
    total = time.monotonic() - t0
    sigma = [f"{r['sigma_mb'] * 1e9:.4g} +- {r['sigma_err_mb'] * 1e9:.2g} pb" for r in results[:8]]
    more = f" (and {len(results) - 8} more jobs)" if len(results) > 8 else ""
    print(f"{args.jet_type}: Pythia sigmaGen per job: {'; '.join(sigma)}{more}; "
          f"{events} events, {args.jets / events:.2f} jets/event")
    cpu = sum(r["cpu_seconds"] for r in results)
    print(f"{args.jet_type}: wrote {args.jets} jets to {args.output} "
          f"({os.path.getsize(args.output) / 1e6:.2f} MB) in {total:.1f} s: "
          f"{generated / elapsed:.1f} jets/s, {generated / elapsed / args.jobs:.1f} jets/s per job "
          f"({generated} generated now); "
          f"{args.jets / cpu:.1f} jets per CPU-second (one job on an idle core)")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (RuntimeError, ValueError, OSError) as err:
        print(f"make_jets: error: {err}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("make_jets: interrupted; no output written", file=sys.stderr)
        sys.exit(130)
