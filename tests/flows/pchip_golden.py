# Makes the SciPy reference values pasted into tests/flows/pchip_test.cpp.
# Run: /usr/bin/python3 tests/flows/pchip_golden.py   (SciPy 1.10.1, NumPy from Debian 12)
import numpy as np
from scipy.interpolate import PchipInterpolator

cases = {
    "spec": (np.linspace(0, 1, 6), [-1.2, -0.1, 0.3, 0.5, 0.504, 2.0],
             [0.0, 0.05, 0.2, 0.37, 0.5, 0.61, 0.75, 0.9, 0.999, 1.0]),
    "non_monotone": ([0.0, 0.5, 1.5, 1.7, 3.0, 4.2], [1.0, 3.0, 2.0, 2.0, -1.0, 5.0],
                     [-0.3, 0.0, 0.25, 0.5, 1.0, 1.6, 2.2, 3.0, 3.9, 4.2, 4.5]),
    "two_nodes": ([1.0, 3.0], [2.0, -1.0], [0.0, 1.0, 1.7, 3.0, 4.0]),
    "edge_limit": ([0.0, 1.0, 2.0], [0.0, 1.0, -5.0], [0.0, 0.3, 1.0, 1.5, 2.0]),
}
rng = np.random.default_rng(3)
u = np.linspace(0, 1, 20)
v = np.sort(rng.normal(size=20)) + 0.01 * rng.random(20) * rng.random(20)
v = np.sort(v)
cases["quantile20"] = (u, v, [0.0, 0.013, 0.31, 0.5, 0.77, 0.9999, 1.0])

def cpp(values):
    return "{" + ", ".join(repr(float(x)) for x in values) + "}"

for name, (x, y, t) in cases.items():
    p = PchipInterpolator(np.asarray(x, float), np.asarray(y, float))
    print(f'  // {name}')
    print(f'  {{"{name}", {cpp(x)},\n   {cpp(y)},\n   {cpp(p.derivative()(x))},\n   {cpp(t)},\n   {cpp(p(t))}}},')
