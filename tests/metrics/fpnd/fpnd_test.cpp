// FPND end to end against jetnet: the 300 deterministic jets of metric-definitions.md §11.8 (1e-5 relative)
// for all three reference statistics, and the errors of the public function.
#include <doctest/doctest.h>

#include "engine/core/error.h"
#include "metrics/fpnd/fpnd.h"
#include "metrics/fpnd/fpnd_pipeline.h"
#include "metrics/fpnd/fpnd_resources.h"
#include "metrics/fpnd/particlenet_weights.h"
#include "tests/metrics/fpnd/fpnd_jets.h"
#include "tests/metrics/test_util.h"

using namespace flowjet;
using namespace flowjet::metrics;
using namespace flowjet::metrics::testing;

namespace {
FpndOptions test_options() {
  FpndOptions options;
  options.directory = fpnd_test_dir();
  options.batch_size = 64;
  return options;
}
}  // namespace

TEST_CASE("metrics/fpnd: the 300 deterministic jets (metric-definitions.md §11.8), 1e-5 relative") {
  const JetArray jets = deterministic_fpnd_jets();
  // Spec 11.8: jet 0 starts (0, 0.1, 0.15054499); jet 299 has 24 particles.
  CHECK_CLOSE(jets.phi_rel(0, 0), 0.1, 1e-15, 0);
  CHECK_CLOSE(jets.pt_rel(0, 0), 0.15054499, 1e-7, 0);
  CHECK(jets.pt_rel(299, 23) > 0);
  CHECK(jets.pt_rel(299, 24) == 0);

  std::vector<std::string> warnings;
  CHECK_CLOSE(fpnd(jets, 'g', test_options(), &warnings), 807.2221939210779, 1e-5, 0);
  CHECK(warnings.size() == 1);  // 300 < 50,000 jets: jetnet's small-sample warning

  // q and t from the same activations.
  int64_t used = 0;
  const std::vector<float> input = fpnd_network_input(jets, 0, used);
  auto net = load_particlenet(fpnd_test_dir() + "/pnet_state_dict.pt");
  const std::vector<float> activations = particlenet_activations(*net, input, used, 30, 300);
  CHECK_CLOSE(fpnd_from_activations(activations, used, 256, load_fpnd_statistics(fpnd_test_dir(), 'q')),
              1043.0018838707051, 1e-5, 0);
  CHECK_CLOSE(fpnd_from_activations(activations, used, 256, load_fpnd_statistics(fpnd_test_dir(), 't')),
              379.27286605861275, 1e-5, 0);
}

TEST_CASE("metrics/fpnd: max_jets takes the first jets in order") {
  const JetArray jets = deterministic_fpnd_jets();
  JetArray first(200, 30);
  first.values.assign(jets.values.begin(), jets.values.begin() + 200 * 30 * 3);
  FpndOptions options = test_options();
  options.max_jets = 200;
  CHECK(fpnd(jets, 't', options) == fpnd(first, 't', test_options()));
}

TEST_CASE("metrics/fpnd: errors name what is wrong") {
  const JetArray jets = deterministic_fpnd_jets();
  CHECK_THROWS_AS(fpnd(jets, 'w', test_options()), ConfigError);
  FpndOptions zero_batch = test_options();
  zero_batch.batch_size = 0;
  CHECK_THROWS_AS(fpnd(jets, 'g', zero_batch), ConfigError);
  FpndOptions missing = test_options();
  missing.directory = fpnd_test_dir() + "/no_such_dir";
  CHECK_THROWS_WITH_AS(fpnd(jets, 'g', missing), doctest::Contains("no_such_dir"), DataError);
  CHECK_THROWS_WITH_AS(fpnd(JetArray(4, 20), 'g', test_options()), doctest::Contains("30 particles"), ShapeError);
  JetArray bad = jets;
  bad.eta_rel(7, 3) = std::nan("");
  CHECK_THROWS_WITH_AS(fpnd(bad, 'g', test_options()), doctest::Contains("7"), NumericError);
}
