// bin/train end to end: configs/quick.ini with overrides (few steps, few jets) trains, writes the
// run directory, resumes, and its final checkpoint generates jets; errors exit non-zero naming
// the file, line and key.
#include <doctest/doctest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "data/jetnet_hdf5.h"
#include "engine/backend/cuda/runtime.h"
#include "flows/generate.h"
#include "flows/io/jet_model.h"
#include "tests/support/error_message.h"
#include "tests/support/file_text.h"
#include "tests/support/program_run.h"
#include "tests/support/temp_dir.h"

using namespace flowjet;
using test::contains;

namespace {

// bin/train next to this test binary (bin/ or the sanitizer build's bin/).
std::string train_program() { return test::program_path("train"); }

struct Run {
  int exit_code;
  std::string out, err;
};


Run run_train(const test::TempDir& dir, const std::string& arguments) {
  const std::string out = dir.file("stdout.txt"), err = dir.file("stderr.txt");
  const int status = std::system((train_program() + " " + arguments + " > " + out + " 2> " + err).c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, test::file_text(out), test::file_text(err)};
}

// A few steps of quick.ini on 600 jets (420 train, 180 test).
const std::string kSmall =
    "data.max_jets=600 train.batch_size=100 train.max_steps=6 eval.validate_every=3 eval.batch_size=200 "
    "output.checkpoint_every=3 output.log_every=2 train.threads=2";

}  // namespace

TEST_CASE("train/bin_train: configs/quick.ini trains, resumes, and its final checkpoint generates jets") {
  REQUIRE(std::filesystem::exists(train_program()));
  test::TempDir dir;
  const std::string run_dir = dir.file("run");
  Run first =
      run_train(dir, "configs/quick.ini " + kSmall + " eval.report=true eval.truth_floor=true output.dir=" + run_dir);
  INFO(first.out << first.err);
  REQUIRE(first.exit_code == 0);
  CHECK(contains(first.out, "parameters: 78,859 per coupling layer"));
  CHECK(contains(first.err, "generated 180 jets"));
  CHECK(contains(first.out, "W1M ×10⁻³"));
  CHECK(contains(first.out, "W1EFP ×10⁻⁵"));
  // FPND with no flag: the repository's resources are the default.
  CHECK_FALSE(contains(first.out, "FPND not computed"));
  CHECK_FALSE(contains(test::file_text(run_dir + "/evaluation.json"), "\"fpnd\": null"));
  // The truth floor: the first 180 training jets against the 180 test jets, as a second table.
  CHECK(contains(first.out, "truth floor (talk preset, 180 jets of the test split"));
  for (const char* file : {"config.ini", "train_log.csv", "final.h5", "generated.h5", "evaluation.json", "report.html",
                           "truth_floor.json", "checkpoints/best.h5",
                           "checkpoints/last.h5", "checkpoints/step_00000003.h5", "checkpoints/step_00000006.h5"})
    CHECK_MESSAGE(std::filesystem::exists(run_dir + "/" + file), file);
  CHECK(test::file_text(run_dir + "/train_log.csv")
            .rfind("step,epoch,nll,mass_loss,lr,jets_per_s,elapsed,bad_steps,val_nll\n", 0) == 0);

  data::ReadOptions read;  // structure only: six steps do not make jets whose pt_rel sums near 1
  read.validate = false;
  read.type = data::JetType::Q;
  CHECK(data::read_jetnet(run_dir + "/generated.h5", read).jets == 180);

  flows::JetModel model = flows::load_jet_model(run_dir + "/final.h5");
  CHECK(model.kind == "cnf_mn");
  flows::GenerateOptions g;
  g.batch_size = 64;
  CHECK(flows::generate_jets(model, 100, g).jets == 100);

  // Resume from the run directory alone (its config.ini), with more steps.
  Run resumed = run_train(dir, "--resume " + run_dir + " train.max_steps=8 eval.generate=false");
  INFO(resumed.out << resumed.err);
  REQUIRE(resumed.exit_code == 0);
  CHECK(contains(resumed.err, "resumed"));
  CHECK(flows::load_jet_model(run_dir + "/final.h5").flow->parameter_count() == model.flow->parameter_count());
  CHECK(load_checkpoint(run_dir + "/final.h5").int_attribute("train.step") == 8);

  // A fresh run into the same directory is refused.
  Run again = run_train(dir, "configs/quick.ini " + kSmall + " output.dir=" + run_dir);
  CHECK(again.exit_code == 1);
  CHECK(contains(again.err, "--resume"));
}

TEST_CASE("train/bin_train: --dry-run plans without training; errors name file, line and key") {
  test::TempDir dir;
  Run dry = run_train(dir, "configs/light_cnf_mn.ini --dry-run output.dir=" + dir.file("never"));
  INFO(dry.out << dry.err);
  CHECK(dry.exit_code == 0);
  CHECK(contains(dry.out, "parameters: 618,853 per coupling layer, 10,520,501 in total"));
  CHECK(contains(dry.out, "plan: 50000 steps of 10000 jets, 2 batches per epoch"));
  CHECK(contains(dry.out, "predicted peak memory: "));  // measured at two small batches
  CHECK(contains(dry.out, "GiB (batch 10000)"));
  CHECK(!std::filesystem::exists(dir.file("never")));

  std::ofstream(dir.file("bad.ini")) << "[model]\nkind = cnf_m\n[train]\nbatch_sise = 5\n";
  Run unknown = run_train(dir, dir.file("bad.ini") + " --dry-run");
  CHECK(unknown.exit_code == 1);
  CHECK(contains(unknown.err, "bad.ini:4: unknown key \"batch_sise\" in [train] (did you mean \"batch_size\"?)"));

  Run type = run_train(dir, "configs/quick.ini --dry-run train.max_steps=lots");
  CHECK(type.exit_code == 1);
  CHECK(contains(type.err, "command line: [train] max_steps = \"lots\" is not a valid integer"));

  std::ofstream(dir.file("missing.ini")) << "[train]\nlr = 1e-3\n";
  Run missing = run_train(dir, dir.file("missing.ini") + " --dry-run");
  CHECK(missing.exit_code == 1);
  CHECK(contains(missing.err, "required key \"kind\" is missing from [model]"));

  Run zero_steps = run_train(dir, "configs/quick.ini --dry-run train.max_steps=0");  // an untrained final.h5
  CHECK(zero_steps.exit_code == 1);
  CHECK(contains(zero_steps.err, "[train] max_steps = 0 must be >= 1"));

  Run no_data = run_train(dir, "configs/quick.ini --dry-run data.path=" + dir.file("absent.h5"));
  CHECK(no_data.exit_code == 1);
  CHECK(contains(no_data.err, "absent.h5"));

  Run bad_device = run_train(dir, "configs/quick.ini --dry-run train.device=gpu");
  CHECK(bad_device.exit_code == 1);
  CHECK(contains(bad_device.err, "[train] device = \"gpu\" must be one of cpu, cuda, auto"));
  // device = cuda needs a CUDA build and a usable GPU; without one the error names the reason, and
  // auto falls back to the CPU with a note saying why.
  Run cuda = run_train(dir, "configs/quick.ini --dry-run train.device=cuda");
  Run autodevice = run_train(dir, "configs/quick.ini --dry-run train.device=auto");
  CHECK(autodevice.exit_code == 0);
  if (cuda_available()) {
    CHECK(cuda.exit_code == 0);
    CHECK(contains(cuda.out, "device cuda"));
    CHECK(contains(autodevice.err, "[train] device = auto: using CUDA ("));
    CHECK(contains(autodevice.out, "device cuda"));
  } else {
    CHECK(cuda.exit_code == 1);
    CHECK(contains(cuda.err, "[train] device = cuda: " + cuda_unavailable_reason() + "; use cpu or auto"));
    CHECK(contains(autodevice.err, "[train] device = auto: using the CPU (" + cuda_unavailable_reason() + ")"));
    CHECK(contains(autodevice.out, "device cpu"));
  }
}

TEST_CASE("train/bin_train: Ctrl-C finishes the step, writes last.h5, says how to resume and exits with 130") {
  test::TempDir dir;
  const std::string run_dir = dir.file("run"), rc_file = dir.file("rc");
  // A run far too long to finish; SIGINT once its log has a few rows.
  const std::string script =
      train_program() + " configs/quick.ini data.max_jets=600 train.batch_size=100 train.max_steps=1000000 " +
      "output.log_every=1 output.checkpoint_every=0 eval.validate_every=0 train.threads=1 output.dir=" + run_dir +
      " > " + dir.file("stdout.txt") + " 2> " + dir.file("stderr.txt") + " & pid=$!; " +
      "for i in $(seq 600); do [ -f " + run_dir + "/train_log.csv ] && [ $(wc -l < " + run_dir +
      "/train_log.csv) -gt 3 ] && break; sleep 0.05; done; kill -INT $pid; wait $pid; echo $? > " + rc_file;
  REQUIRE(std::system(("bash -c '" + script + "'").c_str()) == 0);
  const std::string err = test::file_text(dir.file("stderr.txt"));
  INFO(err);
  CHECK(test::file_text(rc_file) == "130\n");
  CHECK(contains(err, "interrupted; finishing the current step and writing a checkpoint"));
  CHECK(contains(err, "continue with: bin/train --resume " + run_dir));
  const int64_t step = load_checkpoint(run_dir + "/checkpoints/last.h5").int_attribute("train.step");
  CHECK(step >= 3);

  Run resumed = run_train(dir, "--resume " + run_dir + " train.max_steps=" + std::to_string(step + 2) +
                                   " eval.generate=false");
  INFO(resumed.out << resumed.err);
  CHECK(resumed.exit_code == 0);
  CHECK(load_checkpoint(run_dir + "/final.h5").int_attribute("train.step") == step + 2);
}

TEST_CASE("train/bin_train: 1 and 2 threads give the same losses, with dropout and batch norm on") {
  // tools/reproduce.sh --threads relies on this: a row's scores do not depend on the thread count.
  test::TempDir dir;
  std::string logs[2];
  for (int threads : {1, 2}) {
    const std::string run_dir = dir.file("run" + std::to_string(threads));
    Run run = run_train(dir, "configs/quick.ini data.max_jets=600 train.batch_size=100 train.max_steps=4 "
                             "eval.validate_every=2 eval.batch_size=200 output.checkpoint_every=0 "
                             "output.log_every=1 eval.generate=false model.dropout=0.2 model.batchnorm=true "
                             "train.threads=" + std::to_string(threads) + " output.dir=" + run_dir);
    INFO(run.out << run.err);
    REQUIRE(run.exit_code == 0);
    // The columns step, epoch, nll, mass_loss, lr and val_nll; jets_per_s and elapsed are timings.
    std::istringstream csv(test::file_text(run_dir + "/train_log.csv"));
    for (std::string line; std::getline(csv, line);) {
      std::vector<std::string> cells;
      std::istringstream fields(line);
      for (std::string cell; std::getline(fields, cell, ',');) cells.push_back(cell);
      if (line.back() == ',') cells.emplace_back();
      REQUIRE(cells.size() == 9);
      logs[threads - 1] += cells[0] + "," + cells[1] + "," + cells[2] + "," + cells[3] + "," + cells[4] + "," +
                           cells[8] + "\n";
    }
  }
  CHECK(std::count(logs[0].begin(), logs[0].end(), '\n') == 5);  // header and 4 steps
  CHECK(logs[0] == logs[1]);
}
