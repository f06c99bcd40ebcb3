// Conditions files for generation: text rows "mass n" or a JetNet file, scaled for the model.
#include "flows/conditions_file.h"

#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <fstream>
#include <sstream>

#include "data/jet_kinematics.h"
#include "data/jetnet_hdf5.h"
#include "data/preprocess.h"
#include "engine/core/error.h"

namespace flowjet::flows {

namespace {

bool has_extension(const std::string& path, const std::string& extension) {
  return path.size() > extension.size() && path.compare(path.size() - extension.size(), extension.size(), extension) == 0;
}

// Physical mass and n of one row, checked; appended as (m~, n).
struct ConditionBuilder {
  const JetModel& model;
  bool needs_n;
  SampledConditions out;

  void add(double mass, int64_t n, const std::string& where) {
    if (!std::isfinite(mass) || mass < 0.0)
      throw DataError(fmt::format("{}: mass {} must be a finite number >= 0 (mass / jet pt, training-recipe.md §2)", where, mass));
    if (needs_n && (n < 1 || n > model.particles))
      throw DataError(fmt::format("{}: n = {} must be an integer in 1..{}", where, n, model.particles));
    out.mass.push_back(model.scaler.transform(mass, 3 * model.particles));
    out.n.push_back(static_cast<int32_t>(n));
  }
};

void read_text(const std::string& path, ConditionBuilder& builder) {
  std::ifstream in(path);
  if (!in) throw DataError(fmt::format("conditions file '{}' cannot be opened", path));
  std::string line;
  int line_number = 0;
  bool first_row = true;
  while (std::getline(in, line)) {
    ++line_number;
    const size_t start = line.find_first_not_of(" \t\r");
    if (start == std::string::npos || line[start] == '#') continue;
    const bool header = first_row && std::isalpha(static_cast<unsigned char>(line[start]));
    first_row = false;
    if (header) continue;
    for (char& c : line) c = c == ',' ? ' ' : c;
    std::istringstream fields(line);
    const std::string where = fmt::format("{}:{}", path, line_number);
    double mass = 0.0, n_value = 0.0;
    std::string extra;
    if (!(fields >> mass)) throw DataError(fmt::format("{}: expected \"mass n\", got \"{}\"", where, line));
    const bool has_n = static_cast<bool>(fields >> n_value);
    if ((has_n && fields >> extra) || (!has_n && !fields.eof()))
      throw DataError(fmt::format("{}: expected \"mass n\", got \"{}\"", where, line));
    if (!has_n && builder.needs_n)
      throw DataError(fmt::format("{}: the model is conditioned on (m, n) but the row gives no n", where));
    if (has_n && n_value != std::floor(n_value))
      throw DataError(fmt::format("{}: n = {} is not an integer", where, n_value));
    builder.add(mass, has_n ? static_cast<int64_t>(n_value) : 0, where);
  }
}

void read_jetnet_file(const std::string& path, ConditionBuilder& builder) {
  data::ReadOptions options;
  options.particles = builder.model.particles;
  options.type = data::JetType::G;  // the type plays no part in the conditions
  const data::JetSet jets = data::read_jetnet(path, options);
  const std::vector<double> mass = data::clamped_jet_masses(jets);
  const std::vector<int32_t> n = data::multiplicities(jets);
  for (int64_t i = 0; i < jets.jets; ++i)
    builder.add(mass[static_cast<size_t>(i)], n[static_cast<size_t>(i)], fmt::format("{}: jet {}", path, i));
}

// A builder for `model`; ConfigError naming `source` when the model takes no conditions.
ConditionBuilder builder_for(const JetModel& model, const std::string& source) {
  const int64_t context = model.flow ? model.flow->spec().context_features : -1;
  if (context <= 0) throw ConfigError(fmt::format("{} given, but the model is unconditioned (VNF)", source));
  return ConditionBuilder{model, context == 2, {}};
}

}  // namespace

SampledConditions read_conditions_file(const std::string& path, const JetModel& model) {
  ConditionBuilder builder = builder_for(model, fmt::format("conditions file '{}'", path));
  if (has_extension(path, ".h5") || has_extension(path, ".hdf5"))
    read_jetnet_file(path, builder);
  else
    read_text(path, builder);
  if (builder.out.size() == 0) throw DataError(fmt::format("conditions file '{}' holds no conditions", path));
  return builder.out;
}

SampledConditions scale_conditions(const JetModel& model, const std::vector<double>& mass,
                                   const std::vector<int64_t>& n, const std::string& what) {
  ConditionBuilder builder = builder_for(model, what);
  if (!n.empty() && n.size() != mass.size())
    throw ShapeError(fmt::format("{}: {} masses but {} values of n", what, mass.size(), n.size()));
  if (mass.empty()) throw DataError(fmt::format("{} holds no conditions", what));
  for (size_t i = 0; i < mass.size(); ++i)
    builder.add(mass[i], n.empty() ? 0 : n[i], fmt::format("{}: row {}", what, i));
  return builder.out;
}

SampledConditions repeat_conditions(const SampledConditions& conditions, int64_t count) {
  const int64_t size = conditions.size();
  if (size == 0 || count < 1 || count % size != 0)
    throw ConfigError(fmt::format("{} jets cannot be spread evenly over {} conditions (use a multiple of {})", count,
                                  size, size));
  SampledConditions out;
  out.mass.reserve(static_cast<size_t>(count));
  out.n.reserve(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) {
    out.mass.push_back(conditions.mass[static_cast<size_t>(i % size)]);
    out.n.push_back(conditions.n[static_cast<size_t>(i % size)]);
  }
  return out;
}

}  // namespace flowjet::flows
