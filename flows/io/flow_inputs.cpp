// Flow inputs from JetNet files (through a jet model's scaler) or from ready-made input files.
#include "flows/io/flow_inputs.h"

#include <algorithm>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "data/jet_kinematics.h"
#include "data/jetnet_hdf5.h"
#include "data/preprocess.h"
#include "engine/core/error.h"
#include "engine/io/hdf5_matrix.h"
#include "engine/ops/shape/shape.h"

namespace flowjet::flows {

FlowInputs jet_model_inputs(const JetModel& model, const data::JetSet& jets, const JetInputOptions& options) {
  const int64_t P = model.particles, D = 3 * P, N = jets.jets;
  if (jets.particles != P)
    throw DataError(fmt::format("the jets have {} particles but the model was trained on {}", jets.particles, P));
  const FlowSpec& spec = model.flow->spec();
  const int64_t C = spec.context_features > 0 ? spec.context_features : 0;
  if (C > 2) throw ConfigError(fmt::format("a jet model's context is [m~] or [m~, n], not {} features", C));
  // training-recipe.md §2-§4: the mass before any noise; noise on padded slots; scale particle columns and mass.
  const std::vector<double> mass = data::clamped_jet_masses(jets);
  const std::vector<int32_t> n = data::multiplicities(jets);
  std::vector<double> columns = data::particle_columns(jets);
  if (options.add_noise) data::add_padding_noise(columns, P, n, options.noise_seed, options.noise_scale);
  model.scaler.transform(columns.data(), N, D);
  std::vector<double> context(static_cast<std::size_t>(N * C));
  for (int64_t i = 0; i < N && C > 0; ++i) {
    context[static_cast<std::size_t>(i * C)] = model.scaler.transform(mass[static_cast<std::size_t>(i)], D);
    if (C == 2) context[static_cast<std::size_t>(i * C + 1)] = n[static_cast<std::size_t>(i)];  // n raw (§4)
  }
  FlowInputs inputs;
  inputs.x = Tensor::from_vector(columns, Shape{N, D}, spec.dtype);
  if (C > 0) inputs.context = Tensor::from_vector(context, Shape{N, C}, spec.dtype);
  return inputs;
}

OpenedModel open_model(const std::string& path) {
  const Checkpoint checkpoint = load_checkpoint(path);
  OpenedModel opened;
  if (checkpoint.attributes.count("model.kind")) {
    opened.model = restore_jet_model(checkpoint);
    opened.is_jet_model = true;
  } else {
    opened.model.flow = restore_flow(checkpoint);
  }
  return opened;
}

namespace {

// Rows [first, first + count) of [N, ...] data, checked against N; `what` names the file for errors.
std::pair<int64_t, int64_t> row_range(int64_t available, int64_t first, int64_t count, const std::string& what) {
  if (first < 0 || first >= available)
    throw DataError(fmt::format("{}: row {} requested but the file has {} rows", what, first, available));
  const int64_t end = count < 0 ? available : std::min(available, first + count);
  return {first, end};
}

FlowInputs read_jet_rows(const OpenedModel& opened, const std::string& path, int64_t first, int64_t count,
                         const JetInputOptions& options) {
  data::ReadOptions read;
  read.particles = opened.model.particles;
  read.cap_num_particles = true;
  // The jet type does not enter log p; take it from the file name, else from the model, else any.
  read.type = data::jet_type_from_file_name(path);
  if (!read.type) read.type = data::parse_jet_type(opened.model.jet_type);
  if (!read.type) read.type = data::JetType::G;
  const data::JetNetShape shape = data::inspect_jetnet(path);
  const auto [begin, end] = row_range(shape.jets, first, count, path);
  read.max_jets = end;
  data::JetSet jets = data::read_jetnet(path, read);
  FlowInputs all = jet_model_inputs(opened.model, jets, options);
  if (begin == 0) return all;
  FlowInputs rows;
  rows.x = slice(all.x, 0, begin, end);
  if (all.context.defined()) rows.context = slice(all.context, 0, begin, end);
  return rows;
}

// The expected layout of a bare flow's dataset, for error messages: float32 or float64 [rows, columns].
std::string expected_layout(const std::string& rows, int64_t columns) {
  return fmt::format("float32 or float64 [{}, {}]", rows, columns);
}

// A bare flow's dataset `name` checked to be a 2-D float array of `columns` columns (and `rows` rows when >= 0).
Hdf5DatasetInfo checked_dataset(const Hdf5MatrixFile& file, const std::string& name, int64_t rows, int64_t columns,
                                const std::string& why) {
  const std::string expected = expected_layout(rows < 0 ? "N" : std::to_string(rows), columns);
  const std::optional<Hdf5DatasetInfo> info = file.describe(name);
  if (!info)
    throw DataError(fmt::format("{}: no dataset \"{}\", expected {} ({})", file.path(), name, expected, why));
  const bool fits = info->is_float() && info->shape.size() == 2 && info->shape[1] == columns &&
                    (rows < 0 || info->shape[0] == rows);
  if (!fits)
    throw DataError(fmt::format("{}: dataset \"{}\" is {}, expected {} ({})", file.path(), name, info->str(), expected,
                                why));
  return *info;
}

// A bare flow has no scaler: any HDF5 file with "inputs" [N, D] (and "context" [N, C] for a conditioned
// flow), 32- or 64-bit floats, already in the flow's coordinates.
FlowInputs read_input_rows(const OpenedModel& opened, const std::string& path, int64_t first, int64_t count) {
  const FlowSpec& spec = opened.flow().spec();
  const Hdf5MatrixFile file(path);
  const Hdf5DatasetInfo x = checked_dataset(
      file, "inputs", -1, spec.features,
      fmt::format("the flow's {} features; a bare flow checkpoint has no scaler, JetNet files need a jet model",
                  spec.features));
  const auto [begin, end] = row_range(x.shape[0], first, count, path);
  FlowInputs rows;
  rows.x = file.read_rows("inputs", begin, end, spec.dtype);
  if (spec.context_features > 0) {
    checked_dataset(file, "context", x.shape[0], spec.context_features,
                    fmt::format("the flow takes {} context features, one row per input", spec.context_features));
    rows.context = file.read_rows("context", begin, end, spec.dtype);
  }
  return rows;
}

}  // namespace

FlowInputs read_flow_inputs(const OpenedModel& opened, const std::string& data_path, int64_t first, int64_t count,
                            const JetInputOptions& options) {
  if (opened.is_jet_model) return read_jet_rows(opened, data_path, first, count, options);
  return read_input_rows(opened, data_path, first, count);
}

}  // namespace flowjet::flows
