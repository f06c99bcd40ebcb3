// Readers of jetnet's FPND reference statistics (metric-definitions.md §9.4): plain ASCII, %.18e,
// one row per line, no header. Every error names the file and the line.
#include "metrics/fpnd/fpnd_resources.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <system_error>

#include <fmt/format.h>

#include "engine/core/error.h"
#include "engine/io/sha256.h"

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

[[noreturn]] void throw_missing(const std::string& path) {
  throw DataError(fmt::format("{}: cannot open FPND resource file (set FLOWJET_FPND_DIR to the folder "
                              "holding jetnet's fpnd_resources/jetnet/30_particles files)", path));
}

std::ifstream open_or_throw(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw_missing(path);
  return in;
}

}  // namespace

const std::vector<FpndResourceFile>& fpnd_resource_files() {
  // jetnet 0.2.5, jetnet/evaluation/fpnd_resources/jetnet/30_particles (metrics/resources/fpnd/README.md).
  static const std::vector<FpndResourceFile> files = {
      {"pnet_state_dict.pt", "1dabf0e64088840d2d46ca6168a34957c555f0b2419b8d4ea5f70b4108f86f98"},
      {"g_mu.txt", "d8df76740af366d8c094b362cba5f0b6eca9f8516483b62734d80057b54b2219"},
      {"g_sigma.txt", "c38f578d059f547292007a1e541a0996fc72511ce2c267693ef1468bb0ca0d29"},
      {"q_mu.txt", "4d213c8f804ddcaf0e0c43068ea3955cd304270163a517d559f3b9ed47803514"},
      {"q_sigma.txt", "e74564c19b4b2f4bffeb8ca50abcc10e2888f9ccd8f49b1daf42ffb763314c1a"},
      {"t_mu.txt", "a5ec398af70db518bddd96492a3a94a16374adbce74d9641f550b95e933be7db"},
      {"t_sigma.txt", "a267040538103bc126f354607ab6324147c94e07d2f76a685cf44d17318b91cd"},
  };
  return files;
}

void verify_fpnd_resource(const std::string& directory, const std::string& name) {
  const auto& files = fpnd_resource_files();
  const auto file = std::find_if(files.begin(), files.end(), [&](const FpndResourceFile& f) { return name == f.name; });
  if (file == files.end()) throw ConfigError(fmt::format("FPND: '{}' is not one of jetnet's resource files", name));
  const std::string path = directory + "/" + name;
  if (!std::filesystem::is_regular_file(path)) throw_missing(path);
  const std::string actual = sha256_file_hex(path);
  if (actual != file->sha256)
    throw DataError(fmt::format("{}: SHA-256 {}, expected {} (not jetnet 0.2.5's file; restore it or point "
                                "FLOWJET_FPND_DIR at an unchanged copy)", path, actual, file->sha256));
}

namespace {

// The source tree's copy for a program built inside it: <dir>/metrics/resources/fpnd for the nearest
// directory above the program's that has one (bin/ gives the repository root; build/sanitize/bin/
// too), else the one beside bin/ (where the files were expected, for messages).
std::filesystem::path source_tree_copy(const std::filesystem::path& program_dir) {
  const std::filesystem::path relative = "metrics/resources/fpnd";
  for (std::filesystem::path dir = program_dir.parent_path(); !dir.empty(); dir = dir.parent_path()) {
    if (has_fpnd_resources((dir / relative).string())) return dir / relative;
    if (dir == dir.root_path()) break;
  }
  return program_dir.parent_path() / relative;
}

}  // namespace

std::vector<std::string> fpnd_search_path() {
  const char* env = std::getenv("FLOWJET_FPND_DIR");
  if (env != nullptr && *env != '\0') return {env};
  std::vector<std::string> path;
  std::error_code error;
  const std::filesystem::path program = std::filesystem::read_symlink("/proc/self/exe", error);
  if (!error) {
    path.push_back(source_tree_copy(program.parent_path()).string());
    path.push_back((program.parent_path().parent_path() / "share/flowjet/fpnd").string());  // PREFIX/bin, make install
  }
  path.push_back("metrics/resources/fpnd");  // run from the repository root
  return path;
}

bool has_fpnd_resources(const std::string& directory) {
  return std::filesystem::is_regular_file(directory + "/pnet_state_dict.pt");
}

std::string default_fpnd_directory() {
  const std::vector<std::string> path = fpnd_search_path();
  for (const std::string& directory : path)
    if (has_fpnd_resources(directory)) return directory;
  return path.front();
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
  verify_fpnd_resource(directory, fmt::format("{}_mu.txt", jet_type));
  verify_fpnd_resource(directory, fmt::format("{}_sigma.txt", jet_type));
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
