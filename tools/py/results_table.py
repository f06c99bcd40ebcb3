#!/usr/bin/env python3
"""Builds the results table of tools/reproduce.sh: RESULTS/table.md and RESULTS/index.html.

    python3 tools/py/results_table.py [RESULTS]     (default: results)

Reads every RESULTS/<jet>_<kind>/ (evaluation.json, train_log.csv, run.json) and the truth floors
RESULTS/truth_floor_<g|q|t>.json written by tools/reproduce.sh, and puts flowjet's values beside the
talk's (Käch et al., "Normalising Flows for Particle Cloud Generation", 2022, results table) for
every cell. Rows not trained yet are listed as such. Standard library only.
"""

import csv
import html
import json
import math
import os
import sys

JETS = [("gluon", "g", "Gluon"), ("light", "q", "Light quark"), ("top", "t", "Top quark")]
KINDS = [("vnf", "VNF"), ("cnf_m", "CNF(m)"), ("cnf_mn", "CNF(m,n)"), ("ccnf_m", "CCNF(m)"), ("ccnf_mn", "CCNF(m,n)")]

# The talk's results table: W1M x1e3, W1P x1e3, W1EFP x1e5, FPND, COV, MMD (MPGAN's row for comparison).
TALK = {
    "gluon": {
        "vnf": (5.5, 2.9, 4.4, 2.32, 0.54, 0.035),
        "cnf_m": (0.9, 0.6, 0.9, 0.68, 0.54, 0.036),
        "cnf_mn": (0.9, 0.7, 0.9, 0.70, 0.55, 0.034),
        "ccnf_m": (0.9, 0.5, 1.1, 1.10, 0.55, 0.036),
        "ccnf_mn": (0.6, 0.8, 0.9, 0.72, 0.56, 0.035),
        "mpgan": (0.7, 0.9, 0.7, 0.12, 0.56, 0.037),
    },
    "light": {
        "vnf": (3.5, 2.3, 3.0, 2.10, 0.54, 0.025),
        "cnf_m": (1.1, 1.3, 0.7, 0.78, 0.55, 0.024),
        "cnf_mn": (1.8, 0.9, 0.9, 0.64, 0.54, 0.025),
        "ccnf_m": (0.9, 0.6, 0.7, 0.71, 0.54, 0.024),
        "ccnf_mn": (1.0, 1.2, 0.8, 1.99, 0.51, 0.026),
        "mpgan": (0.6, 4.9, 0.7, 0.35, 0.50, 0.026),
    },
    "top": {
        "vnf": (6.4, 2.2, 14.0, 7.91, 0.56, 0.071),
        "cnf_m": (1.7, 1.1, 5.0, 4.53, 0.55, 0.073),
        "cnf_mn": (0.9, 1.5, 7.0, 3.46, 0.56, 0.071),
        "ccnf_m": (0.7, 12.2, 9.0, 9.16, 0.38, 0.083),
        "ccnf_mn": (1.1, 3.7, 13.0, 6.34, 0.55, 0.073),
        "mpgan": (0.6, 2.3, 2.0, 0.37, 0.57, 0.071),
    },
}

HEADER = ["model", "source", "W1M ×10⁻³", "W1P ×10⁻³", "W1EFP ×10⁻⁵", "FPND", "COV", "MMD", "FPD", "KPD",
          "steps", "training time"]


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def training_progress(log_path):
    """(steps, seconds) of the last row of a train_log.csv, or (None, None)."""
    if not os.path.exists(log_path):
        return None, None
    with open(log_path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        return None, None
    return int(rows[-1]["step"]), float(rows[-1]["elapsed"])


def with_error(value, std, scale, digits):
    if value is None:
        return "–"
    text = f"{value * scale:.{digits}f}"
    if std is not None:
        text += f" ± {std * scale:.{digits}f}"
    return text


def measured_cells(ev):
    """The metric cells of an evaluation.json, in HEADER order (W1M .. KPD)."""
    def get(key):
        return ev.get(key)

    fpnd = get("fpnd")
    return [
        with_error(get("w1m"), get("w1m_std"), 1e3, 2),
        with_error(get("w1p"), get("w1p_std"), 1e3, 2),
        with_error(get("w1efp"), get("w1efp_std"), 1e5, 2),
        "–" if fpnd is None else f"{fpnd:.2f}",
        "–" if get("cov") is None else f"{get('cov'):.2f}",
        "–" if get("mmd") is None else f"{get('mmd'):.3f}",
        "–" if get("fpd") is None else f"{get('fpd'):.2e}",
        "–" if get("kpd") is None else f"{get('kpd'):.2e}",
    ]


def talk_cells(values):
    w1m, w1p, w1efp, fpnd, cov, mmd = values
    return [f"{w1m:g}", f"{w1p:g}", f"{w1efp:g}", f"{fpnd:.2f}", f"{cov:.2f}", f"{mmd:.3f}", "–", "–"]


def format_duration(seconds, threads=None):
    """Wall time as "1 h 05 min"; a row trained on a single thread says so (the CPU budget assumes 2)."""
    if seconds is None:
        return "–"
    minutes = int(round(seconds / 60))
    text = f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"
    return f"{text} (1 thread)" if threads == 1 else text


def collect(results):
    """Every row's measured values: {(jet, kind): dict} plus truth floors {jet: evaluation}."""
    rows = {}
    for jet, _, _ in JETS:
        for kind, _ in KINDS:
            folder = os.path.join(results, f"{jet}_{kind}")
            path = os.path.join(folder, "evaluation.json")
            if not os.path.exists(path):
                continue
            steps, seconds = training_progress(os.path.join(folder, "train_log.csv"))
            run = os.path.join(folder, "run.json")
            rows[(jet, kind)] = {
                "eval": read_json(path),
                "steps": steps,
                "seconds": seconds,
                "run": read_json(run) if os.path.exists(run) else {},
                "report": os.path.exists(os.path.join(folder, "report.html")),
            }
    floors = {}
    for jet, letter, _ in JETS:
        path = os.path.join(results, f"truth_floor_{letter}.json")
        if os.path.exists(path):
            floors[jet] = read_json(path)
    return rows, floors


def table_rows(rows, floors):
    """Per jet type: (title, [(model, source, cells..., link or None)])."""
    out = []
    for jet, _, title in JETS:
        lines = []
        for kind, label in KINDS:
            lines.append([label, "talk"] + talk_cells(TALK[jet][kind]) + ["50,000 × 10k (GPU)", "–", None])
            row = rows.get((jet, kind))
            if row is None:
                lines.append([label, "flowjet"] + ["not run yet"] + [""] * 9 + [None])
            else:
                steps = "–" if row["steps"] is None else f"{row['steps']:,}"
                lines.append([label, "flowjet"] + measured_cells(row["eval"]) +
                             [steps, format_duration(row["seconds"], row["run"].get("threads")),
                              f"{jet}_{kind}/report.html" if row["report"] else None])
        lines.append(["MPGAN", "talk"] + talk_cells(TALK[jet]["mpgan"]) + ["–", "–", None])
        if jet in floors:
            lines.append(["truth floor", "flowjet"] + measured_cells(floors[jet]) + ["–", "–", None])
        else:
            lines.append(["truth floor", "flowjet"] + ["not run yet"] + [""] * 9 + [None])
        out.append((title, lines))
    return out


def ratio_check(rows, jet, worse, better, factor, key="w1m"):
    a, b = rows.get((jet, worse)), rows.get((jet, better))
    if a is None or b is None:
        return None
    return a["eval"][key], b["eval"][key], a["eval"][key] >= factor * b["eval"][key]


def compare_w1m(before, after, what):
    """'lower <what>', 'higher <what>' or 'no significant change' for W1M from row `before` to row
    `after`: a change smaller than the two rows' W1M standard deviations combined is not significant."""
    if before is None or after is None:
        return "rows not run yet"
    a, b = before["eval"]["w1m"], after["eval"]["w1m"]
    sa, sb = before["eval"].get("w1m_std", 0.0), after["eval"].get("w1m_std", 0.0)
    significant = abs(a - b) > math.hypot(sa, sb)
    verdict = f"{'lower' if b < a else 'higher'} {what}" if significant else "no significant change"
    return f"{verdict}: {a * 1e3:.2f} ± {sa * 1e3:.2f} vs {b * 1e3:.2f} ± {sb * 1e3:.2f}"


def findings(rows):
    """The talk's qualitative findings, checked on flowjet's rows: (claim, verdict)."""
    out = []
    for jet in ("gluon", "top"):
        r = ratio_check(rows, jet, "vnf", "cnf_m", 3.0)
        claim = f"{jet}: conditioning on the mass lowers W1M at least 3× (VNF vs CNF(m); talk: " + \
                f"{TALK[jet]['vnf'][0]:g} vs {TALK[jet]['cnf_m'][0]:g})"
        out.append((claim, "rows not run yet" if r is None else
                    f"{'holds' if r[2] else 'does not hold'}: {r[0] * 1e3:.2f} vs {r[1] * 1e3:.2f} (×{r[0] / r[1]:.1f})"))
    r = ratio_check(rows, "light", "vnf", "cnf_mn", 1.0)
    out.append(("light: conditioning on (m, n) lowers W1M (VNF vs CNF(m,n); talk: 3.5 vs 1.8)",
                "rows not run yet" if r is None else
                f"{'holds' if r[2] else 'does not hold'}: {r[0] * 1e3:.2f} vs {r[1] * 1e3:.2f} (×{r[0] / r[1]:.1f})"))
    r = ratio_check(rows, "light", "cnf_m", "cnf_mn", 1.0, key="fpnd")
    out.append(("light: conditioning on n as well lowers FPND (CNF(m) vs CNF(m,n); talk: 0.78 vs 0.64)",
                "rows not run yet" if r is None else
                f"{'holds' if r[2] else 'does not hold'}: {r[0]:.2f} vs {r[1]:.2f}"))
    # The mass constraint's effect, per jet type and for both conditionings.
    for jet, _, _ in JETS:
        t = TALK[jet]
        for plain, constrained, label in (("cnf_m", "ccnf_m", "m"), ("cnf_mn", "ccnf_mn", "m,n")):
            out.append((f"{jet}: the mass constraint changes W1M (CNF({label}) vs CCNF({label}); talk: "
                        f"{t[plain][0]:g} vs {t[constrained][0]:g})",
                        compare_w1m(rows.get((jet, plain)), rows.get((jet, constrained)), "with the constraint")))
    return out


def provenance(rows):
    """One line per distinct (commit, CPU model) of the rows present."""
    seen = {}
    for (jet, kind), row in sorted(rows.items()):
        run = row["run"]
        threads = run.get("threads")
        key = (run.get("commit", "unknown")[:12], run.get("cpu_model", "unknown"), run.get("cores", "?"),
               "" if threads is None else f", {threads} training thread{'s' if threads != 1 else ''}")
        seen.setdefault(key, []).append(f"{jet}_{kind}")
    return [f"commit {c}, {m} ({n} cores{t}): {', '.join(names)}" for (c, m, n, t), names in seen.items()]


def write_markdown(path, tables, finds, prov, total):
    lines = ["# The talk's results table, reproduced by flowjet", "",
             "Generated by `tools/py/results_table.py` from the rows of `tools/reproduce.sh` "
             "(see docs/reproduce.md). Talk rows: Käch et al. 2022, GPU training on JetNet (50,000 steps of "
             "10,000 jets). flowjet rows: the CPU-budget configurations `configs/cpu/` on JetNet-sized "
             "stand-in jets (Pythia 8 + FastJet, not the JetNet sample), scored against their own held-out "
             "test split, so the absolute values are comparable with the truth floor of the same data rather "
             "than with the talk's numbers. W1 values are mean ± standard deviation over the talk preset's batches.",
             "", f"Rows trained: {total} of 15.", ""]
    for title, rows in tables:
        lines += [f"## {title}", "", "| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
        for r in rows:
            cells, link = r[:-1], r[-1]
            if link:
                cells[1] = f"[flowjet]({link})"
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    lines += ["## The talk's findings, checked", ""]
    lines += [f"- {claim}: **{verdict}**" for claim, verdict in finds]
    lines += ["", "## Provenance", ""] + [f"- {p}" for p in prov] + [""]
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    os.replace(path + ".tmp", path)


STYLE = """body{font-family:sans-serif;margin:2em;max-width:1400px;color:#222}
table{border-collapse:collapse;margin-bottom:2em;font-size:14px}
th,td{border:1px solid #bbb;padding:4px 8px;text-align:right}th{background:#eee}
td:first-child,td:nth-child(2){text-align:left}tr.talk td{color:#666}tr.floor td{background:#f4f8ff}
tr.flowjet td{font-weight:600}td.missing{color:#b00;text-align:left}"""


def write_html(path, tables, finds, prov, total):
    h = ["<!DOCTYPE html><html><head><meta charset='utf-8'><title>flowjet: the talk's results table</title>",
         f"<style>{STYLE}</style></head><body>",
         "<h1>The talk's results table, reproduced by flowjet</h1>",
         "<p>Talk rows: Käch et al. 2022 (GPU, JetNet). flowjet rows: CPU-budget configurations on "
         "JetNet-sized stand-in jets, scored against their held-out test split; compare them with the "
         f"truth floor of the same data. Rows trained: {total} of 15. Each flowjet row links to its report.</p>"]
    for title, rows in tables:
        h.append(f"<h2>{html.escape(title)}</h2><table><tr>" + "".join(f"<th>{html.escape(c)}</th>" for c in HEADER) + "</tr>")
        for r in rows:
            cells, link = r[:-1], r[-1]
            cls = "floor" if cells[0] == "truth floor" else cells[1]
            tds = []
            for i, c in enumerate(cells):
                text = html.escape(c)
                if i == 1 and link:
                    text = f"<a href='{html.escape(link)}'>flowjet</a>"
                tds.append(f"<td class='missing' colspan='10'>{text}</td>" if c == "not run yet" else f"<td>{text}</td>")
                if c == "not run yet":
                    break
            h.append(f"<tr class='{cls}'>" + "".join(tds) + "</tr>")
        h.append("</table>")
    h.append("<h2>The talk's findings, checked</h2><ul>")
    h += [f"<li>{html.escape(c)}: <b>{html.escape(v)}</b></li>" for c, v in finds]
    h.append("</ul><h2>Provenance</h2><ul>" + "".join(f"<li>{html.escape(p)}</li>" for p in prov) + "</ul></body></html>")
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        f.write("\n".join(h))
    os.replace(path + ".tmp", path)


def main(argv):
    results = argv[1] if len(argv) > 1 else "results"
    if not os.path.isdir(results):
        sys.exit(f"results_table.py: {results} is not a directory")
    rows, floors = collect(results)
    tables = table_rows(rows, floors)
    finds = findings(rows)
    prov = provenance(rows)
    write_markdown(os.path.join(results, "table.md"), tables, finds, prov, len(rows))
    write_html(os.path.join(results, "index.html"), tables, finds, prov, len(rows))
    print(f"{results}/table.md and {results}/index.html: {len(rows)} of 15 rows, {len(floors)} truth floor(s)")


if __name__ == "__main__":
    main(sys.argv)
