// The metrics of metrics/ on numpy arrays: W1 (mass, particle features, EFPs) and COV/MMD on
// explicit index batches, FPND, the 36 EFPs of FPD/KPD, FPD and KPD. Indices are drawn in Python
// (flowjet/metrics.py) exactly as jetnet draws them; FPD and KPD draw their own with the library's
// numpy-compatible PCG64 (metrics/frechet/numpy_pcg64.h).
#include <fmt/format.h>

#include "engine/backend/cpu/thread_pool.h"
#include "engine/core/error.h"
#include "metrics/emd/cov_mmd.h"
#include "metrics/jets/efp.h"
#include "metrics/frechet/fpd_kpd.h"
#include "metrics/fpnd/fpnd.h"
#include "metrics/fpnd/fpnd_resources.h"
#include "metrics/w1/w1_metrics.h"
#include "python/src/bindings.h"

namespace flowjet::python {

metrics::JetArray jet_array_from(const DoubleArray& jets, const std::string& what) {
  if (jets.ndim() != 3 || jets.shape(2) < 3)
    throw ShapeError(fmt::format("{}: expected an array [jets, particles, features >= 3], got {} dimensions{}", what,
                                 jets.ndim(), jets.ndim() == 3 ? fmt::format(" with {} features", jets.shape(2)) : ""));
  const int64_t n = jets.shape(0), p = jets.shape(1), f = jets.shape(2);
  metrics::JetArray out(n, p);
  const double* in = jets.data();
  for (int64_t i = 0; i < n * p; ++i)
    for (int64_t k = 0; k < 3; ++k) out.values[static_cast<size_t>(i * 3 + k)] = in[i * f + k];
  return out;
}

namespace {

// Batches [B, S] of indices into the first and second sample (row b = batch b).
metrics::BatchPlan batch_plan_from(const IndexArray& first, const IndexArray& second) {
  if (first.ndim() != 2 || second.ndim() != 2 || first.shape(0) != second.shape(0))
    throw ShapeError("index batches: expected two arrays [batches, samples] with the same number of batches");
  metrics::BatchPlan plan(static_cast<size_t>(first.shape(0)));
  for (py::ssize_t b = 0; b < first.shape(0); ++b) {
    plan[static_cast<size_t>(b)].first.assign(first.data(b, 0), first.data(b, 0) + first.shape(1));
    plan[static_cast<size_t>(b)].second.assign(second.data(b, 0), second.data(b, 0) + second.shape(1));
  }
  return plan;
}

using W1Function = metrics::BatchedMetric (*)(const metrics::JetArray&, const metrics::JetArray&,
                                               const metrics::BatchPlan&);

// The per-batch values [B, components] of a W1 metric.
py::array_t<double> batched_w1(W1Function metric, const DoubleArray& jets1, const DoubleArray& jets2,
                               const IndexArray& indices1, const IndexArray& indices2) {
  const metrics::JetArray set1 = jet_array_from(jets1, "jets1");
  const metrics::JetArray set2 = jet_array_from(jets2, "jets2");
  const metrics::BatchPlan plan = batch_plan_from(indices1, indices2);
  metrics::BatchedMetric result;
  {
    py::gil_scoped_release release;
    result = metric(set1, set2, plan);
  }
  std::vector<double> values;
  for (const std::vector<double>& batch : result.batch_values) values.insert(values.end(), batch.begin(), batch.end());
  return to_numpy(std::move(values), {static_cast<py::ssize_t>(result.batch_values.size()),
                                      static_cast<py::ssize_t>(result.component_names.size())});
}

metrics::FeatureMatrix feature_matrix_from(const DoubleArray& features, const std::string& what) {
  if (features.ndim() != 2)
    throw ShapeError(fmt::format("{}: expected an array [samples, features], got {} dimensions", what, features.ndim()));
  metrics::FeatureMatrix out;
  out.rows = features.shape(0);
  out.cols = features.shape(1);
  out.values.assign(features.data(), features.data() + features.size());
  return out;
}

}  // namespace

void bind_metrics(py::module_& m) {
  m.def("set_num_threads", [](int threads) { set_num_threads(threads); }, py::arg("threads"),
        "CPU threads of the library's thread pool (default: all cores, or FLOWJET_THREADS)");
  m.def("num_threads", &num_threads, "CPU threads of the library's thread pool");

  m.def("w1m_batches",
        [](const DoubleArray& j1, const DoubleArray& j2, const IndexArray& i1, const IndexArray& i2) {
          return batched_w1(&metrics::w1m, j1, j2, i1, i2);
        },
        py::arg("jets1"), py::arg("jets2"), py::arg("indices1"), py::arg("indices2"),
        "W1 of the relative jet mass per batch: [batches, 1]");
  m.def("w1p_batches",
        [](const DoubleArray& j1, const DoubleArray& j2, const IndexArray& i1, const IndexArray& i2) {
          return batched_w1(&metrics::w1p, j1, j2, i1, i2);
        },
        py::arg("jets1"), py::arg("jets2"), py::arg("indices1"), py::arg("indices2"),
        "W1 of eta_rel, phi_rel, pt_rel over the batch's non-zero particles: [batches, 3]");
  m.def("w1efp_batches",
        [](const DoubleArray& j1, const DoubleArray& j2, const IndexArray& i1, const IndexArray& i2) {
          return batched_w1(&metrics::w1efp, j1, j2, i1, i2);
        },
        py::arg("jets1"), py::arg("jets2"), py::arg("indices1"), py::arg("indices2"),
        "W1 of the five n = 4, d = 4 prime EFPs per batch: [batches, 5]");

  m.def("cov_mmd_batches",
        [](const DoubleArray& real, const DoubleArray& gen, const IndexArray& real_indices,
           const IndexArray& gen_indices) {
          const metrics::JetArray real_jets = jet_array_from(real, "real_jets");
          const metrics::JetArray gen_jets = jet_array_from(gen, "gen_jets");
          const metrics::BatchPlan plan = batch_plan_from(real_indices, gen_indices);
          metrics::CovMmdResult r;
          {
            py::gil_scoped_release release;
            r = metrics::cov_mmd(real_jets, gen_jets, plan);
          }
          return py::make_tuple(py::array_t<double>(py::ssize_t(r.cov_batches.size()), r.cov_batches.data()),
                                py::array_t<double>(py::ssize_t(r.mmd_batches.size()), r.mmd_batches.data()),
                                r.warnings);
        },
        py::arg("real_jets"), py::arg("gen_jets"), py::arg("real_indices"), py::arg("gen_indices"),
        "COV and MMD per batch (jetnet's cov_mmd on given indices): (cov [B], mmd [B], warnings)");

  m.def("default_fpnd_directory", &metrics::default_fpnd_directory,
        "Where FPND's resources are found without an explicit directory (FLOWJET_FPND_DIR first)");
  m.def("fpnd",
        [](const DoubleArray& jets, const std::string& jet_type, const std::string& directory, int64_t max_jets,
           int64_t batch_size) {
          if (jet_type.size() != 1)
            throw ConfigError(fmt::format("fpnd: jet_type '{}' is not one of 'g', 'q', 't'", jet_type));
          const metrics::JetArray generated = jet_array_from(jets, "jets");
          metrics::FpndOptions options;
          options.directory = directory;
          options.max_jets = max_jets;
          options.batch_size = batch_size;
          std::vector<std::string> warnings;
          double value = 0;
          {
            py::gil_scoped_release release;
            value = metrics::fpnd(generated, jet_type[0], options, &warnings);
          }
          return py::make_tuple(value, warnings);
        },
        py::arg("jets"), py::arg("jet_type"), py::arg("directory"), py::arg("max_jets"), py::arg("batch_size"),
        "FPND of jets [N, 30, 3] against the statistics of jet_type: (value, warnings)");

  m.def("fpd_kpd_jet_features",
        [](const DoubleArray& jets) {
          const metrics::JetArray set = jet_array_from(jets, "jets");
          metrics::FeatureMatrix f;
          {
            py::gil_scoped_release release;
            f = metrics::fpd_kpd_jet_features(set);
          }
          return to_numpy(std::move(f.values), {f.rows, f.cols});
        },
        py::arg("jets"), "The 36 EFPs with d <= 4 of every jet: [N, 36]");

  m.def("fpd",
        [](const DoubleArray& real, const DoubleArray& gen, int64_t min_samples, int64_t max_samples,
           int64_t num_batches, int64_t num_points, bool normalise, uint64_t seed) {
          const metrics::FeatureMatrix x = feature_matrix_from(real, "real_features");
          const metrics::FeatureMatrix y = feature_matrix_from(gen, "gen_features");
          metrics::FpdOptions options;
          options.min_samples = min_samples;
          options.max_samples = max_samples;
          options.num_batches = num_batches;
          options.num_points = num_points;
          options.normalise = normalise;
          options.seed = seed;
          metrics::FpdResult r;
          {
            py::gil_scoped_release release;
            r = metrics::fpd(x, y, options);
          }
          return py::make_tuple(r.value, r.error, r.warnings);
        },
        py::arg("real_features"), py::arg("gen_features"), py::arg("min_samples"), py::arg("max_samples"),
        py::arg("num_batches"), py::arg("num_points"), py::arg("normalise"), py::arg("seed"),
        "FPD (jetnet 0.2.5): (value, error, warnings)");

  m.def("kpd",
        [](const DoubleArray& real, const DoubleArray& gen, int64_t num_batches, int64_t batch_size, bool normalise,
           uint64_t seed) {
          const metrics::FeatureMatrix x = feature_matrix_from(real, "real_features");
          const metrics::FeatureMatrix y = feature_matrix_from(gen, "gen_features");
          metrics::KpdOptions options;
          options.num_batches = num_batches;
          options.batch_size = batch_size;
          options.normalise = normalise;
          options.seed = seed;
          metrics::KpdResult r;
          {
            py::gil_scoped_release release;
            r = metrics::kpd(x, y, options);
          }
          return py::make_tuple(r.value, r.error);
        },
        py::arg("real_features"), py::arg("gen_features"), py::arg("num_batches"), py::arg("batch_size"),
        py::arg("normalise"), py::arg("seed"), "KPD (jetnet 0.2.5, num_threads=None): (value, error)");
}

}  // namespace flowjet::python
