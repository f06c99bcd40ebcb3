# Tests of tools/py/results_table.py on a small fake results folder (standard library only).
# Run: build/pyenv/bin/python -m pytest tools/py   (or `make data-test`)
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import results_table  # noqa: E402


def evaluation(w1m, fpnd):
    return {"w1m": w1m, "w1m_std": 1e-5, "w1p": 2e-3, "w1p_std": 1e-4, "w1efp": 3e-5, "w1efp_std": 1e-6,
            "fpnd": fpnd, "cov": 0.5, "mmd": 0.03, "fpd": 0.01, "kpd": 1e-4}


def add_row(folder, name, w1m, fpnd, steps=6000, seconds=2400.0):
    os.makedirs(os.path.join(folder, name))
    with open(os.path.join(folder, name, "evaluation.json"), "w") as f:
        json.dump(evaluation(w1m, fpnd), f)
    with open(os.path.join(folder, name, "train_log.csv"), "w") as f:
        f.write("step,epoch,nll,mass_loss,lr,jets_per_s,elapsed,bad_steps,val_nll\n")
        f.write(f"50,0,1.0,,5e-4,2000,30.0,0,\n{steps},50,-1.0,,1e-6,2000,{seconds},0,-1.1\n")


def test_table_puts_flowjet_beside_the_talk_and_checks_the_findings(tmp_path):
    folder = str(tmp_path)
    add_row(folder, "gluon_vnf", 6e-3, 3.0)
    add_row(folder, "gluon_cnf_m", 1e-3, 1.0)
    add_row(folder, "light_cnf_m", 1e-3, 0.5)
    add_row(folder, "light_cnf_mn", 1e-3, 0.9)
    add_row(folder, "light_ccnf_m", 8e-4, 0.6)
    with open(os.path.join(folder, "truth_floor_q.json"), "w") as f:
        json.dump(evaluation(4e-4, 0.08), f)
    results_table.main(["results_table.py", folder])

    table = open(os.path.join(folder, "table.md"), encoding="utf-8").read()
    assert "Rows trained: 5 of 15." in table
    assert "| VNF | talk | 5.5 | 2.9 | 4.4 | 2.32 | 0.54 | 0.035 |" in table
    assert "| VNF | flowjet | 6.00 ± 0.01 | 2.00 ± 0.10 | 3.00 ± 0.10 | 3.00 |" in table
    assert "| 6,000 | 40 min |" in table
    assert "| truth floor | flowjet | 0.40 ± 0.01 |" in table  # light quark
    assert table.count("| truth floor | flowjet | not run yet |") == 2  # gluon and top
    assert "| CCNF(m,n) | flowjet | not run yet |" in table
    assert "(VNF vs CNF(m); talk: 5.5 vs 0.9): **holds: 6.00 vs 1.00 (×6.0)**" in table
    assert "talk: 0.78 vs 0.64): **does not hold: 0.50 vs 0.90**" in table
    assert "top: conditioning on the mass lowers W1M at least 3× (VNF vs CNF(m); talk: 6.4 vs 1.7): **rows not run yet**" in table
    assert ("light: the mass constraint changes W1M (CNF(m) vs CCNF(m); talk: 1.1 vs 0.9): "
            "**lower with the constraint: 1.00 ± 0.01 vs 0.80 ± 0.01**") in table
    assert "light: the mass constraint changes W1M (CNF(m,n) vs CCNF(m,n); talk: 1.8 vs 1): **rows not run yet**" in table

    page = open(os.path.join(folder, "index.html"), encoding="utf-8").read()
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert page.count("<table>") == 3
    assert "not run yet" in page
    assert not os.path.exists(os.path.join(folder, "table.md.tmp"))


def test_a_row_trained_on_one_thread_says_so(tmp_path):
    folder = str(tmp_path)
    add_row(folder, "gluon_cnf_m", 1e-3, 1.0, seconds=4200.0)
    with open(os.path.join(folder, "gluon_cnf_m", "run.json"), "w") as f:
        json.dump({"commit": "0123456789abcdef", "cpu_model": "Some CPU", "cores": 2, "threads": 1}, f)
    add_row(folder, "gluon_vnf", 6e-3, 3.0)  # no run.json: neither a thread count nor a note
    results_table.main(["results_table.py", folder])

    table = open(os.path.join(folder, "table.md"), encoding="utf-8").read()
    assert "| 6,000 | 1 h 10 min (1 thread) |" in table
    # A change within the rows' spread (W1M std 1e-5 each) is not called a change.
    add_row(folder, "gluon_ccnf_m", 1.01e-3, 1.0)
    results_table.main(["results_table.py", folder])
    table = open(os.path.join(folder, "table.md"), encoding="utf-8").read()
    assert "(CNF(m) vs CCNF(m); talk: 0.9 vs 0.9): **no significant change: 1.00 ± 0.01 vs 1.01 ± 0.01**" in table
    assert "| 6,000 | 40 min |" in table
    assert "commit 0123456789ab, Some CPU (2 cores, 1 training thread): gluon_cnf_m" in table
