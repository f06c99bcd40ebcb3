// flowjet._core.JetModel: a trained jet model (flows/io/jet_model.h) that generates jets
// (flows/generate.h, as bin/sample) and scores them (flows/jet_log_prob.h, as bin/logprob).
#include <fmt/format.h>

#include "engine/backend/device_choice.h"
#include "engine/core/error.h"
#include "flows/conditions_file.h"
#include "flows/generate.h"
#include "flows/jet_log_prob.h"
#include "flows/io/jet_model.h"
#include "python/src/bindings.h"

namespace flowjet::python {

namespace {

class PyJetModel {
 public:
  PyJetModel(const std::string& path, const std::string& device) {
    std::string note;  // what "auto" chose is readable from .device
    const Device chosen = choose_device(device, "JetModel: device", note);
    py::gil_scoped_release release;
    model_ = flows::load_jet_model(path);
    model_.flow->to(chosen);
  }

  // (particle_features [n, P, 4], jet_features [n, 4]) in the JetNet layout, float32.
  py::tuple sample(int64_t count, uint64_t seed, const py::object& conditions, int64_t batch_size, double jet_pt,
                   double min_pt_rel) {
    flows::GenerateOptions options;
    options.seed = seed;
    options.batch_size = batch_size;
    options.jet_pt = jet_pt;
    options.min_pt_rel = min_pt_rel;
    data::JetSet jets;
    if (conditions.is_none()) {
      py::gil_scoped_release release;
      jets = flows::generate_jets(model_, count, options);
    } else {
      const flows::SampledConditions given = conditions_from(DoubleArray::ensure(conditions));
      py::gil_scoped_release release;
      jets = data::JetSet::zeros(count, model_.particles, flows::generated_jet_type(model_));
      flows::generate_jet_batches(model_, given, count, options, flows::collect_into(jets));
    }
    const py::ssize_t n = jets.jets, p = jets.particles;
    return py::make_tuple(to_numpy(std::move(jets.particle_features), {n, p, 4}),
                          to_numpy(std::move(jets.jet_features), {n, 4}));
  }

  // log p(x~ | c) per jet; particle_features [N, P, 4] (JetNet layout, mask last) or [N, P, 3]
  // (a particle is real when any of its three features is non-zero, jetnet's padding rule).
  py::array_t<double> log_prob(const DoubleArray& particle_features, int64_t batch_size) {
    if (particle_features.ndim() != 3 || (particle_features.shape(2) != 3 && particle_features.shape(2) != 4))
      throw ShapeError(fmt::format("log_prob: expected particle_features [jets, particles, 3 or 4], got {} dimensions{}",
                                   particle_features.ndim(),
                                   particle_features.ndim() == 3
                                       ? fmt::format(" with {} features", particle_features.shape(2))
                                       : ""));
    const int64_t n = particle_features.shape(0), p = particle_features.shape(1), f = particle_features.shape(2);
    data::JetSet jets = data::JetSet::zeros(n, p, flows::generated_jet_type(model_));
    const double* in = particle_features.data();
    for (int64_t i = 0; i < n * p; ++i) {
      const double* row = in + i * f;
      float* out = &jets.particle_features[static_cast<size_t>(i * 4)];
      for (int k = 0; k < 3; ++k) out[k] = static_cast<float>(row[k]);
      out[3] = f == 4 ? static_cast<float>(row[3]) : (row[0] != 0 || row[1] != 0 || row[2] != 0 ? 1.0f : 0.0f);
    }
    std::vector<double> values;
    {
      py::gil_scoped_release release;
      values = flows::jet_log_prob(model_, jets, batch_size);
    }
    return to_numpy(std::move(values), {static_cast<py::ssize_t>(n)});
  }

  const flows::JetModel& model() const { return model_; }

 private:
  // conditions [N] or [N, 1] (mass / jet pt) or [N, 2] (mass / jet pt, n), scaled as bin/sample's
  // --conditions rows are.
  flows::SampledConditions conditions_from(const DoubleArray& conditions) const {
    const bool flat = conditions.ndim() == 1;
    if (!flat && (conditions.ndim() != 2 || conditions.shape(1) < 1 || conditions.shape(1) > 2))
      throw ShapeError("sample: conditions must be an array [N] or [N, 1] of masses (m / jet pt) or [N, 2] of (mass, n)");
    const int64_t rows = conditions.shape(0), cols = flat ? 1 : conditions.shape(1);
    std::vector<double> mass(static_cast<size_t>(rows));
    std::vector<int64_t> n;
    for (int64_t r = 0; r < rows; ++r) {
      mass[static_cast<size_t>(r)] = conditions.data()[r * cols];
      if (cols == 2) {
        const double value = conditions.data()[r * cols + 1];
        if (value != static_cast<double>(static_cast<int64_t>(value)))
          throw DataError(fmt::format("sample: conditions row {}: n = {} is not an integer", r, value));
        n.push_back(static_cast<int64_t>(value));
      }
    }
    return flows::scale_conditions(model_, mass, n, "sample: conditions");
  }

  flows::JetModel model_;
};

}  // namespace

void bind_models(py::module_& m) {
  py::class_<PyJetModel>(m, "JetModel", "A trained jet model (a checkpoint written by bin/train or flowjet.train)")
      .def(py::init<const std::string&, const std::string&>(), py::arg("path"), py::arg("device") = "cpu")
      .def("sample", &PyJetModel::sample, py::arg("n"), py::arg("seed") = 42, py::arg("conditions") = py::none(),
           py::arg("batch_size") = 10000, py::arg("jet_pt") = 1000.0, py::arg("min_pt_rel") = 0.0,
           "n jets as (particle_features [n, P, 4], jet_features [n, 4]), float32, in the JetNet layout")
      .def("log_prob", &PyJetModel::log_prob, py::arg("particle_features"), py::arg("batch_size") = 10000,
           "log p(x~ | c) of each jet in the model's scaled space, as bin/logprob: [N] float64")
      .def_property_readonly("kind", [](const PyJetModel& s) { return s.model().kind; })
      .def_property_readonly("jet_type", [](const PyJetModel& s) { return s.model().jet_type; })
      .def_property_readonly("particles", [](const PyJetModel& s) { return s.model().particles; })
      .def_property_readonly("device", [](const PyJetModel& s) { return std::string(device_name(s.model().flow->device())); })
      .def_property_readonly("context_features",
                             [](const PyJetModel& s) { return s.model().flow->spec().context_features; })
      .def_property_readonly("num_parameters",
                             [](const PyJetModel& s) { return s.model().flow->parameter_count(); });
}

}  // namespace flowjet::python
