// flowjet._core: the pybind11 module under the flowjet package. It converts numpy arrays to the
// library's types and back and releases the GIL while the library works; the jetnet-compatible
// argument handling (defaults, random index draws, aggregation) is Python, in flowjet/metrics.py.
#include <pybind11/pybind11.h>

#include "python/src/bindings.h"

namespace py = pybind11;

PYBIND11_MODULE(_core, m) {
  m.doc() = "flowjet's C++ library (CPU build): metrics, jet models and training";
  flowjet::python::bind_errors(m);
  flowjet::python::bind_metrics(m);
  flowjet::python::bind_models(m);
  flowjet::python::bind_training(m);
}
