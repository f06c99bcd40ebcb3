// bin/train under mpirun (train.distributed = mpi): N ranks at global batch B end where one process
// at batch B does (with batch norm on, when train.sync_batchnorm synchronises it); the same seed
// repeats a run bit for bit; --resume continues it bit for bit with
// the same N and refuses another N; a rank that hangs or dies ends the job with a message. Skipped
// (with a message) where the build has no MPI or mpirun is missing.
#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>

#include <fmt/format.h>

#include "engine/dist/communicator.h"
#include "flows/io/jet_model.h"
#include "tests/support/error_message.h"
#include "tests/support/file_text.h"
#include "tests/support/program_run.h"
#include "tests/support/sanitizer.h"
#include "tests/support/temp_dir.h"

using namespace flowjet;
using test::contains;

namespace {

/// True (and the reason printed once) when these cases cannot run. Called while the test cases
/// register, before doctest runs, so it prints with printf.
bool mpirun_skipped() {
  static const bool skipped = [] {
    std::string reason;
    if (!dist::kind_available("mpi"))
      reason = "this build has no MPI (make MPI=1)";
    else if (std::system("command -v mpirun > /dev/null 2>&1") != 0)
      reason = "mpirun is not installed";
    if (!reason.empty()) std::printf("dist/mpirun tests skipped: %s\n", reason.c_str());
    return !reason.empty();
  }();
  return skipped;
}

// A tiny CNF(m, n) on 4 particles of 600 jets (420 train: batches 100, 100, 100, 100, 20), batch
// norm and dropout off (quick.ini), padding noise off, one thread per rank, no evaluation.
const std::string kTiny =
    "data.max_jets=600 data.particles=4 data.noise=off model.coupling_layers=2 model.network_nodes=16 "
    "train.batch_size=100 train.max_steps=20 train.threads=1 eval.validate_every=10 eval.batch_size=200 "
    "eval.generate=false output.checkpoint_every=10 output.log_every=5";

// Under AddressSanitizer (make sanitize): Open MPI's own leaks are suppressed (openmpi_leaks.supp). The
// suppressions need whole allocation stacks (the fast unwinder stops inside Open MPI, which has no frame
// pointers), so the ranks unwind the slow way.
std::string rank_sanitizer_options() {
  if (!test::kAddressSanitizer) return "";
  return "-x ASAN_OPTIONS=fast_unwind_on_malloc=0 -x LSAN_OPTIONS=suppressions=" +
         std::filesystem::absolute("tests/dist/openmpi_leaks.supp").string() + ":print_suppressions=0 ";
}

// mpirun as root (containers, CI) needs both variables; --oversubscribe allows more ranks than cores;
// shared-memory transfers without the single-copy (ptrace) mechanism, which containers often forbid.
// `timeout` makes a hang a failure rather than a stuck suite.
std::string mpirun(int ranks, const std::string& environment = "") {
  return fmt::format(
      "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl_vader_single_copy_mechanism=none {} "
      "timeout -k 5 120 mpirun --oversubscribe -np {} {}{}{} ",
      environment, ranks, environment.empty() ? "" : "-x FLOWJET_TEST_RANK_FAILURE ", rank_sanitizer_options(),
      test::program_path("train"));
}

test::ProgramRun train(const test::TempDir& dir, int ranks, const std::string& arguments) {
  const std::string launcher =
      ranks == 0 ? test::program_path("train") + " " : mpirun(ranks);  // 0: a plain process
  const std::string distributed = ranks == 0 ? "" : " train.distributed=mpi";
  return test::run_command(dir, launcher + arguments + distributed);
}

/// The run succeeded (its output is shown otherwise).
void require_success(const test::ProgramRun& run) {
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
}

NamedTensors final_parameters(const std::string& run_dir) {
  return flows::load_jet_model(run_dir + "/final.h5").flow->named_parameters();
}

/// The batch-norm running statistics (every buffer) of a run's final.h5: rank 0's.
NamedTensors final_buffers(const std::string& run_dir) {
  return flows::load_jet_model(run_dir + "/final.h5").flow->named_buffers();
}

/// The nll column of a run's train_log.csv (the mean over the global batch, on rank 0).
std::vector<double> logged_nll(const std::string& run_dir) {
  std::vector<double> values;
  std::istringstream lines(test::file_text(run_dir + "/train_log.csv"));
  std::string line;
  std::getline(lines, line);  // the header
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string step, epoch, nll;
    std::getline(fields, step, ',');
    std::getline(fields, epoch, ',');
    std::getline(fields, nll, ',');
    values.push_back(std::stod(nll));
  }
  return values;
}

/// The largest |a - b| over the elements of same-named tensors; `where` (optional) gets its tensor's name.
double max_abs_difference(const NamedTensors& a, const NamedTensors& b, std::string* where = nullptr) {
  REQUIRE(a.size() == b.size());
  double worst = 0.0;
  for (size_t i = 0; i < a.size(); ++i) {
    REQUIRE(a[i].name == b[i].name);
    const std::vector<double> x = a[i].tensor.to_vector(), y = b[i].tensor.to_vector();
    REQUIRE(x.size() == y.size());
    for (size_t j = 0; j < x.size(); ++j)
      if (std::abs(x[j] - y[j]) > worst) {
        worst = std::abs(x[j] - y[j]);
        if (where) *where = a[i].name;
      }
  }
  return worst;
}

}  // namespace

TEST_CASE("dist/mpirun: 2 and 3 ranks end where one process does after 20 steps" * doctest::skip(mpirun_skipped())) {
  test::TempDir dir;
  require_success(train(dir, 0, "configs/quick.ini " + kTiny + " output.dir=" + dir.file("one")));
  const NamedTensors reference = final_parameters(dir.file("one"));
  const std::vector<double> reference_nll = logged_nll(dir.file("one"));
  REQUIRE(reference_nll.size() == 4);  // steps 5, 10, 15, 20 (log_every 5)
  for (int ranks : {2, 3}) {
    const std::string run_dir = dir.file(fmt::format("ranks{}", ranks));
    const test::ProgramRun run = train(dir, ranks, "configs/quick.ini " + kTiny + " output.dir=" + run_dir);
    require_success(run);
    // 2 ranks take 50 + 50 rows of each batch, 3 ranks 34 + 33 + 33 (and 7 + 7 + 6 of the last).
    CHECK(contains(run.out, fmt::format("data parallel: {} ranks over mpi", ranks)));
    // Only the order of the sums differs (per-rank means weighted by their share, summed over the
    // ranks): after 20 AdamW steps the weights (|w| up to ~1) agree to about 1e-7.
    const double difference = max_abs_difference(reference, final_parameters(run_dir));
    MESSAGE(ranks << " ranks: largest parameter difference to one process " << difference);
    CHECK(difference < 1e-5);
    // The logged losses are the global batch means too (a wrong weighting shows here, where AdamW's
    // invariance to the gradient's scale would hide it in the weights).
    const std::vector<double> nll = logged_nll(run_dir);
    REQUIRE(nll.size() == reference_nll.size());
    for (size_t i = 0; i < nll.size(); ++i) CHECK(nll[i] == doctest::Approx(reference_nll[i]).epsilon(1e-5));
  }
  // 420 training jets in batches of 419 leave a batch of one jet: too few for 3 ranks.
  const test::ProgramRun remainder =
      train(dir, 3, "configs/quick.ini " + kTiny + " train.batch_size=419 output.dir=" + dir.file("remainder"));
  INFO(remainder.err);
  CHECK(remainder.exit_code != 0);
  // Every rank finds it and aborts the job; the first to abort may end the others before they print
  // (seen under the sanitizers), so the line may come from any rank.
  CHECK(contains(remainder.err, " of 3: error: train.batch_size = 419: the 420 training jets leave a batch of "
                                "1 jet(s), fewer than the 3 ranks"));
}

TEST_CASE("dist/mpirun: with train.sync_batchnorm 2 and 3 ranks end where one process does, running statistics "
          "included; without it the statistics differ" *
          doctest::skip(mpirun_skipped())) {
  test::TempDir dir;
  // Batch norm on (in every residual block), dropout off; the loss logged at every step.
  const std::string config = "configs/quick.ini " + kTiny + " model.batchnorm=true output.log_every=1";
  require_success(train(dir, 0, config + " output.dir=" + dir.file("one")));
  const NamedTensors reference = final_parameters(dir.file("one")), reference_stats = final_buffers(dir.file("one"));
  const std::vector<double> reference_nll = logged_nll(dir.file("one"));
  REQUIRE(!reference_stats.empty());
  REQUIRE(reference_nll.size() == 20);
  for (int ranks : {2, 3}) {
    // 3 ranks: shards of 34, 33, 33 rows and 7, 7, 6 of the last batch, so the uneven weighting counts.
    const std::string run_dir = dir.file(fmt::format("sync{}", ranks));
    require_success(train(dir, ranks, config + " train.sync_batchnorm=true output.dir=" + run_dir));
    // The global batch's statistics and gradients, up to the order of the sums. The losses agree to
    // their 8 printed digits or nearly (measured: within 1.5e-7 relative). The bias of a linear layer
    // in front of a batch norm has a true gradient of zero (batch norm removes a shift); AdamW, which
    // divides each gradient by its own scale, turns the rounding noise there into parameter
    // differences of a few 1e-5 after 20 steps. A backward without the all-reduce of its sums leaves 1e-2 and
    // loss differences of up to 8e-5; per-rank statistics (below) differ by 6e-2.
    std::string worst_parameter, worst_statistic;
    const double parameters = max_abs_difference(reference, final_parameters(run_dir), &worst_parameter);
    const double statistics = max_abs_difference(reference_stats, final_buffers(run_dir), &worst_statistic);
    MESSAGE(ranks << " ranks, sync_batchnorm: largest parameter difference to one process " << parameters << " ("
                  << worst_parameter << "), largest running-statistics difference " << statistics << " ("
                  << worst_statistic << ")");
    CHECK(parameters < 5e-4);
    CHECK(statistics < 5e-4);
    const std::vector<double> nll = logged_nll(run_dir);
    REQUIRE(nll.size() == reference_nll.size());
    for (size_t i = 0; i < nll.size(); ++i) CHECK(nll[i] == doctest::Approx(reference_nll[i]).epsilon(1e-6));
  }
  // Per-rank batch norm (the default): each rank's running statistics come from its own 50 rows.
  const std::string own = dir.file("own2");
  require_success(train(dir, 2, config + " output.dir=" + own));
  const double statistics = max_abs_difference(reference_stats, final_buffers(own));
  MESSAGE("2 ranks, per-rank batch norm: largest running-statistics difference " << statistics);
  CHECK(statistics > 1e-2);
}

TEST_CASE("dist/mpirun: the same seed repeats a run; --resume continues it bit for bit and refuses another N" *
          doctest::skip(mpirun_skipped())) {
  test::TempDir dir;
  const std::string straight = dir.file("straight"), again = dir.file("again"), halves = dir.file("halves");
  // Everything random and per rank in play: dropout masks, batch norm on each shard, mass-constraint
  // latents (from step 6 on).
  const std::string config =
      "configs/quick.ini " + kTiny + " model.kind=ccnf_mn model.dropout=0.1 model.batchnorm=true";
  for (const std::string& run_dir : {straight, again})
    require_success(train(dir, 2, config + " output.dir=" + run_dir));
  CHECK(max_abs_difference(final_parameters(straight), final_parameters(again)) == 0.0);

  require_success(train(dir, 2, config + " train.max_steps=10 output.dir=" + halves));
  const test::ProgramRun other_n = train(dir, 0, "--resume " + halves + " train.max_steps=20 train.distributed=none");
  CHECK(other_n.exit_code != 0);
  CHECK(contains(other_n.err, "it was written by a run of 2 rank(s), this run has 1; resume with the same number of "
                              "ranks (mpirun -np 2)"));
  const test::ProgramRun second = train(dir, 2, "--resume " + halves + " train.max_steps=20");
  require_success(second);
  CHECK(contains(second.err, "resumed"));
  CHECK(max_abs_difference(final_parameters(straight), final_parameters(halves)) == 0.0);
}

TEST_CASE("dist/mpirun: a rank that hangs or dies ends the job with a message, never a hang" *
          doctest::skip(mpirun_skipped())) {
  test::TempDir dir;
  const auto start = std::chrono::steady_clock::now();
  const test::ProgramRun hang =
      test::run_command(dir, mpirun(2, "FLOWJET_TEST_RANK_FAILURE=1:3:hang") + "configs/quick.ini " + kTiny +
                                 " train.distributed=mpi train.distributed_timeout=8 output.dir=" + dir.file("hang"));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  INFO(hang.out << hang.err);
  CHECK(hang.exit_code != 0);
  CHECK(hang.exit_code != 124);  // not ended by the test's timeout
  CHECK(seconds < 60.0);
  CHECK(contains(hang.err, "rank 1: FLOWJET_TEST_RANK_FAILURE: hanging in step 3"));
  CHECK(contains(hang.err, "rank 0 of 2: the gradient all-reduce of step 3 did not complete within "
                           "train.distributed_timeout = 8 s (another rank died or hangs); aborting the job"));

  const test::ProgramRun dies =
      test::run_command(dir, mpirun(2, "FLOWJET_TEST_RANK_FAILURE=1:3:exit") + "configs/quick.ini " + kTiny +
                                 " train.distributed=mpi train.distributed_timeout=30 output.dir=" + dir.file("dies"));
  INFO(dies.out << dies.err);
  CHECK(dies.exit_code != 0);
  CHECK(dies.exit_code != 124);
  CHECK(contains(dies.err, "rank 1: FLOWJET_TEST_RANK_FAILURE: exiting in step 3"));
}
