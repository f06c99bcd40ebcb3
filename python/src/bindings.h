// The parts of flowjet._core, one file each, and the array conversions they share.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <string>
#include <vector>

#include "metrics/jets/jet_array.h"

namespace flowjet::python {

namespace py = pybind11;

/// C-contiguous float64 view of any array-like (a copy only when needed).
using DoubleArray = py::array_t<double, py::array::c_style | py::array::forcecast>;
using IndexArray = py::array_t<int64_t, py::array::c_style | py::array::forcecast>;

/// Jets [N, P, F >= 3] as a JetArray of their first three features (eta_rel, phi_rel, pt_rel).
/// Throws flowjet::ShapeError naming `what` for another shape.
metrics::JetArray jet_array_from(const DoubleArray& jets, const std::string& what);

/// A C-contiguous numpy array of `shape` holding `values` (moved, not copied).
template <typename T>
py::array_t<T> to_numpy(std::vector<T>&& values, std::vector<py::ssize_t> shape) {
  auto* owner = new std::vector<T>(std::move(values));
  py::capsule free_owner(owner, [](void* p) { delete static_cast<std::vector<T>*>(p); });
  return py::array_t<T>(shape, owner->data(), free_owner);
}

void bind_errors(py::module_& m);
void bind_metrics(py::module_& m);
void bind_models(py::module_& m);
void bind_training(py::module_& m);

}  // namespace flowjet::python
