// Writes that fail half-way (a file-size limit makes write() return EFBIG, as a full disk returns
// ENOSPC): data::write_jetnet, save_checkpoint, bin/sample -o and bin/train's checkpoints end with
// one clean error line, exit code 1, no temporary file, and no HDF5 output or crash at exit (HDF5's
// exit-time cleanup used to retry the failed flush forever and then crash).
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>

#include "data/jetnet_hdf5.h"
#include "engine/backend/cpu/thread_pool.h"
#include "engine/io/checkpoint.h"
#include "flows/io/jet_model.h"
#include "tests/support/file_text.h"
#include "tests/support/jet_model_fixture.h"
#include "tests/support/program_run.h"
#include "tests/support/temp_dir.h"

using namespace flowjet;

namespace {


struct ChildRun {
  int exit_code;     // -1 when the child did not exit normally (a crash, or killed by the alarm)
  std::string err;   // its standard error
};

// fork() copies only the calling thread: a pool worker caught holding the pool's mutex, or a
// condition variable mid-wakeup, would hang the child in exit() (seen in about one run in five
// when the pool had just run a job). So the pool's workers are stopped for the fork; the pool
// starts them again on its next job. (OpenBLAS, under LAPACK, stops its own threads at fork.)
class PoolStoppedForFork {
 public:
  PoolStoppedForFork() : threads_(num_threads()) { set_num_threads(1); }
  ~PoolStoppedForFork() { set_num_threads(threads_); }

 private:
  int threads_;
};

// Runs `body` in a forked child whose files may not grow past `max_bytes` (SIGXFSZ ignored, so
// write() fails with EFBIG); the child prints what `body` throws and ends through exit(), which
// runs the libraries' exit handlers. An alarm ends a child that hangs, so the test fails instead.
ChildRun run_with_file_limit(const test::TempDir& dir, rlim_t max_bytes, const std::function<void()>& body) {
  const std::string err_path = dir.file("child_stderr.txt");
  const PoolStoppedForFork pool_stopped;
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    ::alarm(60);
    const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(err, 2);
    ::signal(SIGXFSZ, SIG_IGN);
    const rlimit limit{max_bytes, max_bytes};
    ::setrlimit(RLIMIT_FSIZE, &limit);
    int code = 0;
    try {
      body();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "error: %s\n", e.what());
      code = 1;
    }
    std::exit(code);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, test::file_text(err_path)};
}

// Exactly one line, naming `path` and the system's reason, and nothing from HDF5 itself.
void check_one_clean_line(const std::string& err, const std::string& path) {
  INFO(err);
  CHECK(std::count(err.begin(), err.end(), '\n') == 1);
  CHECK(err.find(path) != std::string::npos);
  CHECK(err.find("File too large") != std::string::npos);
  CHECK(err.find("HDF5-DIAG") == std::string::npos);
  CHECK(err.find("infinite loop") == std::string::npos);
}

// No "<name>.tmp-*" left anywhere under `folder`.
void check_no_temporaries(const std::string& folder) {
  for (const auto& entry : std::filesystem::recursive_directory_iterator(folder))
    CHECK_MESSAGE(entry.path().filename().string().find(".tmp-") == std::string::npos, entry.path().string());
}

std::string shell_with_file_limit(long kilobytes, const std::string& command) {
  return "bash -c \"trap '' XFSZ; ulimit -f " + std::to_string(kilobytes) + "; exec " + command + "\"";
}

}  // namespace

TEST_CASE("reliability/write_failure: write_jetnet past a file-size limit") {
  test::TempDir dir;
  const data::JetSet jets = test::jetnet_like_jets(5000, 3);  // 2.5 MB of particle features
  const std::string path = dir.file("jets.h5");
  const ChildRun run = run_with_file_limit(dir, 200000, [&] { data::write_jetnet(path, jets); });
  CHECK(run.exit_code == 1);
  check_one_clean_line(run.err, path);
  CHECK_FALSE(std::filesystem::exists(path));
  std::filesystem::remove(dir.file("child_stderr.txt"));
  check_no_temporaries(dir.path());
}

TEST_CASE("reliability/write_failure: save_checkpoint past a file-size limit") {
  test::TempDir dir;
  const std::string path = dir.file("model.h5");
  const NamedTensors tensors = {{"a", Tensor::full(Shape{1000, 500}, 0.5)}, {"b", Tensor::full(Shape{1000}, 1.0)}};
  const ChildRun run = run_with_file_limit(dir, 300000, [&] { save_checkpoint(path, tensors, {}); });
  CHECK(run.exit_code == 1);
  check_one_clean_line(run.err, path);
  CHECK_FALSE(std::filesystem::exists(path));
  std::filesystem::remove(dir.file("child_stderr.txt"));
  check_no_temporaries(dir.path());
}

TEST_CASE("reliability/write_failure: bin/sample -o past a file-size limit") {
  test::TempDir dir;
  flows::save_jet_model(dir.file("model.h5"), test::small_jet_model("cnf_mn"));
  const std::string out = dir.file("jets.h5");
  const test::ProgramRun run = test::run_command(
      dir, shell_with_file_limit(200, test::program_path("sample") + " " + dir.file("model.h5") + " -n 5000 -o " +
                                          out + " --batch 1000 --threads 1"));
  INFO(run.err);
  CHECK(run.exit_code == 1);
  CHECK(run.err.find("bin/sample: error: cannot write JetNet file '" + out + "'") != std::string::npos);
  CHECK(run.err.find("File too large") != std::string::npos);
  CHECK(run.err.find("HDF5") == std::string::npos);
  CHECK_FALSE(std::filesystem::exists(out));
  check_no_temporaries(dir.path());
}

TEST_CASE("reliability/write_failure: bin/train's checkpoint past a file-size limit") {
  test::TempDir dir;
  const std::string run_dir = dir.file("run");
  // The logs fit in 1 MB, the first checkpoint (about 6 MB) does not.
  const test::ProgramRun run = test::run_command(
      dir, shell_with_file_limit(1000, test::program_path("train") +
                                           " configs/quick.ini data.max_jets=600 train.batch_size=100 "
                                           "train.max_steps=3 eval.validate_every=3 output.checkpoint_every=3 "
                                           "train.threads=2 output.dir=" + run_dir));
  INFO(run.err);
  CHECK(run.exit_code == 1);
  const std::string last_line = run.err.substr(run.err.rfind('\n', run.err.size() - 2) + 1);
  CHECK(last_line.find("bin/train: error: " + run_dir + "/checkpoints/") == 0);
  CHECK(last_line.find("File too large") != std::string::npos);
  CHECK(run.err.find("HDF5") == std::string::npos);
  check_no_temporaries(run_dir);
}
