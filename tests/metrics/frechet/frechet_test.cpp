// Fréchet distance against metric-definitions.md §11.6 (small matrices and the shipped jetnet
// reference statistics), and the statistics reader's errors.
#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>

#include "engine/core/error.h"
#include "metrics/fpnd/fpnd_resources.h"
#include "metrics/frechet/frechet.h"
#include "tests/metrics/test_util.h"

using namespace flowjet::metrics;
using namespace flowjet::metrics::testing;

namespace {
GaussianStats gaussian(std::vector<double> mu, std::vector<double> sigma) {
  GaussianStats g;
  g.dim = static_cast<int64_t>(mu.size());
  g.mu = std::move(mu);
  g.sigma = std::move(sigma);
  return g;
}

std::string fpnd_file(const std::string& name) { return fpnd_test_dir() + "/" + name; }

void require_resources() {
  std::ifstream probe(fpnd_file("g_mu.txt"));
  INFO("FPND resources not found in " << fpnd_test_dir() << "; run the tests from the repository root");
  REQUIRE(probe.good());
}

// Writes `text` to a fresh temporary file and returns its path.
std::string temp_file(const std::string& name, const std::string& text) {
  const std::string path = std::string(P_tmpdir) + "/flowjet_metrics_" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}
}  // namespace

TEST_CASE("metrics/frechet: metric-definitions.md §11.6 small cases to 1e-10") {
  CHECK_CLOSE(frechet_distance(gaussian({0, 0}, {1, 0, 0, 1}), gaussian({1, 1}, {1, 0, 0, 1})), 2.0, 0, 1e-10);
  CHECK_CLOSE(frechet_distance(gaussian({0, 0}, {1, 0, 0, 4}), gaussian({0, 0}, {4, 0, 0, 1})), 2.0, 0, 1e-10);
  CHECK_CLOSE(frechet_distance(gaussian({0.1, -0.2, 0.3}, {2, 0.5, 0, 0.5, 1, 0.3, 0, 0.3, 0.5}),
                               gaussian({0, 0.1, 0.5}, {1, -0.2, 0.1, -0.2, 2, 0, 0.1, 0, 1.5})),
              1.0503105662720715, 0, 1e-10);
  CHECK_CLOSE(frechet_distance(gaussian({0, 0}, {1, 1, 1, 1}), gaussian({0, 0}, {1, 0, 0, 0})), 1.0, 0, 1e-10);
}

TEST_CASE("metrics/frechet: gaussian_fit gives the unbiased covariance") {
  const auto g = gaussian_fit(std::vector<double>{1, 2, 3, 6, 5, 4}, 3, 2);  // rows (1,2) (3,6) (5,4)
  CHECK_CLOSE(g.mu[0], 3.0, 0, 1e-15);
  CHECK_CLOSE(g.mu[1], 4.0, 0, 1e-15);
  CHECK_CLOSE(g.sigma[0], 4.0, 0, 1e-15);   // (4 + 0 + 4) / 2
  CHECK_CLOSE(g.sigma[1], 2.0, 0, 1e-15);   // (-2*-2 + 0*2 + 2*0) / 2
  CHECK_CLOSE(g.sigma[3], 4.0, 0, 1e-15);   // (4 + 4 + 0) / 2
  CHECK(g.sigma[1] == g.sigma[2]);
  CHECK_THROWS_AS(gaussian_fit(std::vector<double>{1, 2}, 1, 2), flowjet::ShapeError);
}

TEST_CASE("metrics/frechet: shipped jetnet statistics, FD(g,q) = 57.857 etc. to 1e-9 relative") {
  require_resources();
  const std::string dir = fpnd_test_dir();
  const auto g = load_fpnd_statistics(dir, 'g');
  const auto q = load_fpnd_statistics(dir, 'q');
  const auto t = load_fpnd_statistics(dir, 't');
  CHECK(g.dim == 256);
  CHECK_CLOSE(frechet_distance(g, q), 57.85691933703279, 1e-9, 0);
  CHECK_CLOSE(frechet_distance(g, t), 171.39404852149923, 1e-9, 0);
  CHECK_CLOSE(frechet_distance(q, t), 345.6376846476494, 1e-9, 0);
  CHECK(std::fabs(frechet_distance(g, g)) <= 1e-7);
}

TEST_CASE("metrics/fpnd_resources: reader errors name the file and line") {
  CHECK_THROWS_AS(load_fpnd_statistics(fpnd_test_dir(), 'w'), flowjet::ConfigError);
  try {
    read_vector_file("/nonexistent/flowjet/g_mu.txt");
    FAIL("expected DataError");
  } catch (const flowjet::DataError& e) {
    CHECK(std::string(e.what()).find("/nonexistent/flowjet/g_mu.txt") != std::string::npos);
  }
  const std::string bad_number = temp_file("bad_mu.txt", "1.0e+00\n2.0e+00\nx.5e+00\n");
  try {
    read_vector_file(bad_number);
    FAIL("expected DataError");
  } catch (const flowjet::DataError& e) {
    CHECK(std::string(e.what()).find(bad_number + ":3") != std::string::npos);
  }
  const std::string short_row = temp_file("short_sigma.txt", "1 0 0\n0 1\n0 0 1\n");
  int64_t dim = 0;
  try {
    read_square_matrix_file(short_row, dim);
    FAIL("expected DataError");
  } catch (const flowjet::DataError& e) {
    CHECK(std::string(e.what()).find(short_row + ":2") != std::string::npos);
  }
  const std::string not_square = temp_file("wide_sigma.txt", "1 0 0\n0 1 0\n");
  CHECK_THROWS_AS(read_square_matrix_file(not_square, dim), flowjet::DataError);
  std::remove(bad_number.c_str());
  std::remove(short_row.c_str());
  std::remove(not_square.c_str());
}
