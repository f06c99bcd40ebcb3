// Readers of jetnet's FPND reference statistics (spec metrics.md 9.4): plain ASCII, %.18e,
// one row per line, no header. Every error names the file and the line.
#include "metrics/fpnd_resources.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

#include "engine/core/error.h"

namespace flowjet::metrics {

namespace {

// Parses the space-separated numbers of one line; throws DataError naming path:line.
std::vector<double> parse_line(const std::string& line, const std::string& path, int64_t line_number) {
  std::vector<double> out;
  const char* p = line.c_str();
  while (true) {
    while (*p == ' ' || *p == '\t' || *p == '\r') ++p;
    if (*p == '\0') break;
    char* end = nullptr;
    errno = 0;
    const double v = std::strtod(p, &end);
    if (end == p || (*end != '\0' && *end != ' ' && *end != '\t' && *end != '\r'))
      throw DataError(fmt::format("{}:{}: column {}: not a number: \"{}\"", path, line_number, out.size() + 1,
                                  std::string(p, std::min<size_t>(std::strlen(p), 30))));
    if (errno == ERANGE && std::abs(v) > 1.0)
      throw DataError(fmt::format("{}:{}: column {}: number out of range", path, line_number, out.size() + 1));
    out.push_back(v);
    p = end;
  }
  return out;
}

std::ifstream open_or_throw(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    throw DataError(fmt::format("{}: cannot open FPND resource file (set FLOWJET_FPND_DIR to the folder "
                                "holding jetnet's fpnd_resources/jetnet/30_particles files)", path));
  return in;
}

}  // namespace

std::string default_fpnd_directory() {
  const char* env = std::getenv("FLOWJET_FPND_DIR");
  if (env != nullptr && *env != '\0') return env;
  return "metrics/resources/fpnd";
}

std::vector<double> read_vector_file(const std::string& path) {
  std::ifstream in = open_or_throw(path);
  std::vector<double> out;
  std::string line;
  int64_t line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    const auto values = parse_line(line, path, line_number);
    if (values.size() != 1)
      throw DataError(fmt::format("{}:{}: expected one number per line, found {}", path, line_number, values.size()));
    out.push_back(values[0]);
  }
  if (out.empty()) throw DataError(fmt::format("{}: file is empty, expected one number per line", path));
  return out;
}

std::vector<double> read_square_matrix_file(const std::string& path, int64_t& dim) {
  std::ifstream in = open_or_throw(path);
  std::vector<std::vector<double>> rows;
  std::string line;
  int64_t line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    rows.push_back(parse_line(line, path, line_number));
    if (rows.back().size() != rows.front().size())
      throw DataError(fmt::format("{}:{}: {} numbers, expected {} as on line 1", path, line_number,
                                  rows.back().size(), rows.front().size()));
  }
  if (rows.empty()) throw DataError(fmt::format("{}: file is empty, expected a square matrix", path));
  dim = static_cast<int64_t>(rows.size());
  if (static_cast<int64_t>(rows.front().size()) != dim)
    throw DataError(fmt::format("{}: {} lines of {} numbers, expected a square matrix", path, dim, rows.front().size()));
  std::vector<double> out;
  out.reserve(static_cast<size_t>(dim * dim));
  for (const auto& row : rows) out.insert(out.end(), row.begin(), row.end());
  return out;
}

GaussianStats load_fpnd_statistics(const std::string& directory, char jet_type) {
  if (jet_type != 'g' && jet_type != 'q' && jet_type != 't')
    throw ConfigError(fmt::format("FPND: no reference statistics for jet type '{}' (expected g, q or t)", jet_type));
  const std::string mu_path = fmt::format("{}/{}_mu.txt", directory, jet_type);
  const std::string sigma_path = fmt::format("{}/{}_sigma.txt", directory, jet_type);
  GaussianStats stats;
  stats.mu = read_vector_file(mu_path);
  stats.sigma = read_square_matrix_file(sigma_path, stats.dim);
  if (static_cast<int64_t>(stats.mu.size()) != stats.dim)
    throw DataError(fmt::format("{}: {} values, but {} is {}x{}", mu_path, stats.mu.size(), sigma_path, stats.dim,
                                stats.dim));
  for (int64_t r = 0; r < stats.dim; ++r)
    for (int64_t c = r + 1; c < stats.dim; ++c)
      if (stats.sigma[static_cast<size_t>(r * stats.dim + c)] != stats.sigma[static_cast<size_t>(c * stats.dim + r)])
        throw DataError(fmt::format("{}:{}: entry ({}, {}) differs from ({}, {}); the covariance must be symmetric",
                                    sigma_path, r + 1, r, c, c, r));
  return stats;
}

}  // namespace flowjet::metrics
