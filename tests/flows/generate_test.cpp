// Jet generation (training-recipe.md §9): JetNet layout of the output (zero beyond n, no negative pt_rel,
// mask and num_particles consistent, strict validation of the written file), seeded and batch-size
// independent results, streaming batch by batch into a file, explicit conditions, and clear errors.
#include <algorithm>
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "data/jet_kinematics.h"
#include "data/jetnet_hdf5.h"
#include "data/jetnet_stream_writer.h"
#include "engine/autograd/recording.h"
#include "engine/backend/cpu/thread_pool.h"
#include "engine/core/error.h"
#include "flows/conditions_file.h"
#include "flows/generate.h"
#include "tests/support/jet_model_fixture.h"
#include "tests/support/temp_dir.h"

using namespace flowjet;
using namespace flowjet::flows;

namespace {

GenerateOptions options_with(uint64_t seed, int64_t batch_size) {
  GenerateOptions options;
  options.seed = seed;
  options.batch_size = batch_size;
  return options;
}

// Every jet: real particles first with pt_rel > 0 in decreasing order, all-zero padding,
// num_particles = real count, the nominal jet pt, eta 0 and the mass of the real particles.
void check_jetnet_layout(const data::JetSet& jets, double jet_pt) {
  for (int64_t i = 0; i < jets.jets; ++i) {
    CAPTURE(i);
    int64_t real = 0;
    for (int64_t k = 0; k < jets.particles; ++k) {
      const float mask = jets.particle(i, k, data::kMask);
      REQUIRE((mask == 0.0f || mask == 1.0f));
      if (mask == 1.0f) {
        REQUIRE(real == k);  // no real particle after a padding slot
        ++real;
        CHECK(jets.particle(i, k, data::kPtRel) > 0.0f);
        if (k > 0) CHECK(jets.particle(i, k, data::kPtRel) <= jets.particle(i, k - 1, data::kPtRel));
      } else {
        CHECK(jets.particle(i, k, data::kEtaRel) == 0.0f);
        CHECK(jets.particle(i, k, data::kPhiRel) == 0.0f);
        CHECK(jets.particle(i, k, data::kPtRel) == 0.0f);
      }
    }
    CHECK(jets.jet(i, data::kJetNumParticles) == static_cast<float>(real));
    CHECK(jets.jet(i, data::kJetPt) == static_cast<float>(jet_pt));
    CHECK(jets.jet(i, data::kJetEta) == 0.0f);
    CHECK(jets.jet(i, data::kJetMass) == doctest::Approx(data::relative_jet_mass(jets, i) * jet_pt).epsilon(1e-6));
  }
}

}  // namespace

TEST_CASE("flows/generate: latent rows are slices of one stream, however they are batched") {
  for (DType dtype : {DType::F32, DType::F64}) {
    for (int64_t features : {5, 90}) {
      CAPTURE(dtype_name(dtype));
      CAPTURE(features);
      const std::vector<double> all = latent_rows(9, 0, 11, features, dtype).to_vector();
      for (int64_t first : {1, 3, 4, 7}) {
        const std::vector<double> part = latent_rows(9, first, 3, features, dtype).to_vector();
        const std::vector<double> expected(all.begin() + first * features, all.begin() + (first + 3) * features);
        CHECK(part == expected);
      }
    }
  }
}

TEST_CASE("flows/generate: (m, n) model gives JetNet jets with no particle beyond the sampled n") {
  JetModel model = test::small_jet_model("cnf_mn");
  const int64_t count = 300;
  const data::JetSet jets = generate_jets(model, count, options_with(11, 64));
  REQUIRE(jets.jets == count);
  REQUIRE(jets.particles == 30);
  CHECK(jets.type == data::JetType::G);
  check_jetnet_layout(jets, 1000.0);

  // The conditions the call used, row for row: real particles never exceed n (training-recipe.md §9.5).
  const SampledConditions conditions = draw_generation_conditions(model, count, options_with(11, 64));
  REQUIRE(conditions.size() == count);
  int64_t grouped_rows = 0;
  for (int64_t i = 0; i < count; ++i) {
    CHECK(jets.real_particles(i) <= conditions.n[static_cast<size_t>(i)]);
    CHECK(conditions.mass[static_cast<size_t>(i)] >= model.scaled_zero_mass);
    if (i > 0 && conditions.n[static_cast<size_t>(i)] >= conditions.n[static_cast<size_t>(i - 1)]) ++grouped_rows;
  }
  CHECK(grouped_rows < count - 1);  // shuffled, not grouped by n
}

TEST_CASE("flows/generate: written jets pass strict JetNet validation and read back unchanged") {
  for (const char* kind : {"vnf", "cnf_m", "cnf_mn"}) {
    CAPTURE(kind);
    JetModel model = test::small_jet_model(kind);
    const data::JetSet jets = generate_jets(model, 200, options_with(3, 50));
    check_jetnet_layout(jets, 1000.0);
    test::TempDir dir;
    data::write_jetnet(dir.file("generated.h5"), jets);
    data::ReadOptions read;
    read.strict = true;
    read.type = data::JetType::G;
    const data::JetSet back = data::read_jetnet(dir.file("generated.h5"), read);
    CHECK(back.particle_features == jets.particle_features);
    CHECK(back.jet_features == jets.jet_features);
  }
}

TEST_CASE("flows/generate: same seed same jets, other seed other jets, batch size and threads change nothing") {
  for (const char* kind : {"vnf", "cnf_mn"}) {
    CAPTURE(kind);
    JetModel model = test::small_jet_model(kind);
    const data::JetSet reference = generate_jets(model, 101, options_with(21, 101));
    for (int64_t batch : {1, 7, 64, 1000}) {
      CAPTURE(batch);
      const data::JetSet again = generate_jets(model, 101, options_with(21, batch));
      CHECK(again.particle_features == reference.particle_features);
      CHECK(again.jet_features == reference.jet_features);
    }
    CHECK(generate_jets(model, 101, options_with(22, 64)).particle_features != reference.particle_features);
    const int threads = num_threads();
    set_num_threads(threads == 1 ? 2 : 1);
    CHECK(generate_jets(model, 101, options_with(21, 64)).particle_features == reference.particle_features);
    set_num_threads(threads);
  }
}

TEST_CASE("flows/generate: batches streamed into a JetNet file equal the jets generated in memory") {
  for (const char* kind : {"vnf", "cnf_mn"}) {
    CAPTURE(kind);
    JetModel model = test::small_jet_model(kind);
    const data::JetSet reference = generate_jets(model, 120, options_with(13, 120));
    // 7: a remainder batch of 1; 50: of 20; 120: one batch; 500: one batch shorter than asked.
    for (int64_t batch : {7, 50, 120, 500}) {
      CAPTURE(batch);
      test::TempDir dir;
      const std::string path = dir.file("streamed.h5");
      std::vector<std::pair<int64_t, int64_t>> batches;  // (first row, rows) of each call
      {
        data::JetNetStreamWriter writer(path, model.particles, generated_jet_type(model));
        generate_jet_batches(model, 120, options_with(13, batch), [&](const data::JetSet& jets, int64_t first) {
          batches.emplace_back(first, jets.jets);
          writer.append(jets);
        });
        writer.finish();
      }
      REQUIRE(batches.size() == static_cast<size_t>((120 + batch - 1) / batch));
      for (size_t b = 0; b < batches.size(); ++b) {
        CHECK(batches[b].first == static_cast<int64_t>(b) * batch);
        CHECK(batches[b].second == std::min<int64_t>(batch, 120 - batches[b].first));
      }
      data::ReadOptions read;
      read.strict = true;
      read.type = data::JetType::G;
      const data::JetSet back = data::read_jetnet(path, read);
      CHECK(back.particle_features == reference.particle_features);
      CHECK(back.jet_features == reference.jet_features);
    }
  }
}

TEST_CASE("flows/generate: a throwing sink stops the run; collect_into checks where a batch goes") {
  JetModel model = test::small_jet_model("vnf");
  int64_t calls = 0;
  const auto failing = [&](const data::JetSet&, int64_t first) {
    ++calls;
    if (first > 0) throw DataError("disk full");
  };
  CHECK_THROWS_WITH_AS(generate_jet_batches(model, 100, options_with(1, 30), failing), "disk full", DataError);
  CHECK(calls == 2);
  data::JetSet small = data::JetSet::zeros(20, 30, data::JetType::G);
  CHECK_THROWS_WITH_AS(generate_jet_batches(model, 30, options_with(1, 16), collect_into(small)),
                       doctest::Contains("at row 16 does not fit 20 x 30"), ShapeError);
}

TEST_CASE("flows/generate: given conditions are cycled in place, as repeat_conditions copies them") {
  JetModel model = test::small_jet_model("cnf_mn");
  SampledConditions conditions;
  conditions.mass = {model.scaled_zero_mass + 0.5, 0.0, 1.0};
  conditions.n = {2, 5, 9};
  data::JetSet cycled = data::JetSet::zeros(12, 30, data::JetType::G);
  generate_jet_batches(model, conditions, 12, options_with(5, 5), collect_into(cycled));
  const data::JetSet copied = generate_jets(model, repeat_conditions(conditions, 12), options_with(5, 5));
  CHECK(cycled.particle_features == copied.particle_features);
  CHECK(cycled.jet_features == copied.jet_features);
  for (int64_t i = 0; i < 12; ++i) CHECK(cycled.real_particles(i) <= conditions.n[static_cast<size_t>(i % 3)]);
  CHECK_THROWS_WITH_AS(generate_jet_batches(model, conditions, 10, {}, collect_into(cycled)),
                       doctest::Contains("use a multiple of 3"), ConfigError);
}

TEST_CASE("flows/generate: min_pt_rel turns near-zero slots of a VNF model into padding") {
  JetModel model = test::small_jet_model("vnf");
  const data::JetSet all = generate_jets(model, 100, options_with(6, 100));
  GenerateOptions options = options_with(6, 100);
  options.min_pt_rel = 1e-5;
  const data::JetSet cut = generate_jets(model, 100, options);
  check_jetnet_layout(cut, 1000.0);
  int64_t near_zero = 0;
  for (int64_t i = 0; i < 100; ++i) {
    int64_t expected = 0;
    for (int64_t k = 0; k < 30; ++k) expected += all.particle(i, k, data::kPtRel) > 1e-5f ? 1 : 0;
    CHECK(cut.real_particles(i) == expected);
    near_zero += all.real_particles(i) - expected;
  }
  CHECK(near_zero > 100);  // the fixture's always-padded slots 10..29 come out near zero
}

TEST_CASE("flows/generate: explicit conditions are used row by row") {
  JetModel model = test::small_jet_model("cnf_mn");
  SampledConditions conditions;
  conditions.mass = {model.scaled_zero_mass + 0.5, 0.0, 1.0, -0.3};
  conditions.n = {1, 2, 3, 4};
  const data::JetSet jets = generate_jets(model, conditions, options_with(5, 3));
  REQUIRE(jets.jets == 4);
  check_jetnet_layout(jets, 1000.0);
  for (int64_t i = 0; i < 4; ++i) CHECK(jets.real_particles(i) <= i + 1);
  // Same conditions as the model's own draw give the same jets as the model's own draw.
  const SampledConditions drawn = draw_generation_conditions(model, 40, options_with(8, 16));
  CHECK(generate_jets(model, drawn, options_with(8, 16)).particle_features ==
        generate_jets(model, 40, options_with(8, 16)).particle_features);
}

TEST_CASE("flows/generate: drawn conditions in blocks: one block is one draw, more blocks are fresh draws, any batching") {
  JetModel model = test::small_jet_model("cnf_mn");
  GenerateOptions blocked = options_with(21, 64);
  blocked.condition_block = 100;
  // Up to one block the blocking changes nothing.
  const SampledConditions single = draw_generation_conditions(model, 100, options_with(21, 64));
  const SampledConditions first_block = draw_generation_conditions(model, 100, blocked);
  CHECK(single.mass == first_block.mass);
  CHECK(single.n == first_block.n);
  // 250 jets: blocks of 100, 100 and 50; block 0 as above, the others drawn from their own seeds.
  const SampledConditions three = draw_generation_conditions(model, 250, blocked);
  REQUIRE(three.size() == 250);
  CHECK(std::equal(first_block.mass.begin(), first_block.mass.end(), three.mass.begin()));
  CHECK(!std::equal(three.mass.begin(), three.mass.begin() + 100, three.mass.begin() + 100));
  // The jets use exactly these rows, whatever the batch size (batches straddle the block ends).
  const data::JetSet reference = generate_jets(model, three, options_with(21, 250));
  for (int64_t batch : {7, 64, 250}) {
    GenerateOptions o = blocked;
    o.batch_size = batch;
    CHECK(generate_jets(model, 250, o).particle_features == reference.particle_features);
  }
  blocked.condition_block = 0;
  CHECK_THROWS_AS(generate_jets(model, 10, blocked), ConfigError);
}

TEST_CASE("flows/generate: the flow's training mode is restored; nominal jet pt scales pt and mass") {
  JetModel model = test::small_jet_model("cnf_m");
  model.flow->train();
  GenerateOptions options = options_with(4, 32);
  options.jet_pt = 1234.5;
  int64_t last_done = 0, calls = 0;
  options.progress = [&](int64_t done, int64_t total) {
    CHECK(total == 70);
    CHECK(done > last_done);
    last_done = done;
    ++calls;
  };
  const data::JetSet jets = generate_jets(model, 70, options);
  CHECK(model.flow->is_training());
  CHECK(calls == 3);
  CHECK(last_done == 70);
  check_jetnet_layout(jets, 1234.5);
}

TEST_CASE("flows/generate: bad requests and broken models are clear errors") {
  JetModel vnf = test::small_jet_model("vnf");
  CHECK_THROWS_WITH_AS(generate_jets(vnf, 0, {}), doctest::Contains("must be >= 1, got 0"), ConfigError);
  CHECK_THROWS_WITH_AS(generate_jets(vnf, 5, options_with(1, 0)), doctest::Contains("batch_size"), ConfigError);
  GenerateOptions negative_cut;
  negative_cut.min_pt_rel = -1.0;
  CHECK_THROWS_WITH_AS(generate_jets(vnf, 5, negative_cut), doctest::Contains("min_pt_rel"), ConfigError);
  SampledConditions conditions;
  conditions.mass = {0.1};
  conditions.n = {3};
  CHECK_THROWS_WITH_AS(generate_jets(vnf, conditions, {}), doctest::Contains("unconditioned"), ConfigError);

  JetModel mn = test::small_jet_model("cnf_mn");
  conditions.n = {31};
  CHECK_THROWS_WITH_AS(generate_jets(mn, conditions, {}), doctest::Contains("condition 0 has n = 31, expected 1..30"),
                       ConfigError);
  CHECK_THROWS_WITH_AS(generate_jets(mn, SampledConditions{}, {}), doctest::Contains("no conditions"), ConfigError);

  {
    NoGradScope no_grad;
    NamedTensor first = mn.flow->named_parameters().front();
    first.tensor.copy_(Tensor::full(first.tensor.shape(), std::numeric_limits<double>::quiet_NaN(),
                                    first.tensor.dtype()));
  }
  CHECK_THROWS_WITH_AS(generate_jets(mn, 10, {}), doctest::Contains("non-finite value"), NumericError);
}
