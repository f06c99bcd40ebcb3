// bin/logprob run as a process: a bare flow scores the "inputs" and "context" datasets of a plain
// HDF5 file (no flowjet attributes) exactly as in-process log_prob does; datasets of the wrong
// shape or element type, or a missing context, end with one line naming the file, the dataset and
// the shape expected, and exit code 1; a jet model still reads JetNet files.
#include <hdf5.h>

#include <fstream>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "data/jetnet_hdf5.h"
#include "engine/ops/shape/shape.h"
#include "flows/io/flow_checkpoint.h"
#include "flows/io/flow_inputs.h"
#include "flows/io/jet_model.h"
#include "tests/support/flow_specs.h"
#include "tests/support/jet_model_fixture.h"
#include "tests/support/program_run.h"
#include "tests/support/temp_dir.h"
#include "tools/common/log_prob_table.h"

using namespace flowjet;

namespace {

// One dataset to write: its name, HDF5 file type (e.g. H5T_IEEE_F32LE, H5T_STD_I32LE), shape and values.
struct Dataset {
  std::string name;
  hid_t file_type;
  std::vector<hsize_t> shape;
  std::vector<double> values;
};

// A plain HDF5 file holding `datasets` in its root group and nothing else (as h5py would write it).
void write_plain_hdf5(const std::string& path, const std::vector<Dataset>& datasets) {
  const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  REQUIRE(file >= 0);
  for (const Dataset& d : datasets) {
    const hid_t space = H5Screate_simple(static_cast<int>(d.shape.size()), d.shape.data(), nullptr);
    const hid_t set = H5Dcreate2(file, d.name.c_str(), d.file_type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    REQUIRE(set >= 0);
    REQUIRE(H5Dwrite(set, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, d.values.data()) >= 0);
    H5Dclose(set);
    H5Sclose(space);
  }
  H5Fclose(file);
}

// `rows` x `columns` values i * 0.1 - 1 (distinct, in the flow's tail-bounded range).
std::vector<double> ramp(int64_t rows, int64_t columns) {
  std::vector<double> values(static_cast<std::size_t>(rows * columns));
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = 0.1 * static_cast<double>(i) - 1.0;
  return values;
}

test::ProgramRun run_logprob(const test::TempDir& dir, const std::string& arguments) {
  return test::run_command(dir, test::program_path("logprob") + " " + arguments);
}

// The run failed with exit code 1 and exactly one line naming every part of `expected`.
void check_one_line_error(const test::ProgramRun& run, const std::vector<std::string>& expected) {
  INFO(run.err);
  CHECK(run.exit_code == 1);
  CHECK(run.out.empty());
  CHECK(run.err.find('\n') == run.err.size() - 1);
  for (const std::string& part : expected) CHECK(run.err.find(part) != std::string::npos);
}

}  // namespace

TEST_CASE("tools/logprob: a bare flow scores \"inputs\" and \"context\" of a plain HDF5 file") {
  test::TempDir dir;
  flows::FlowSpec spec = test::small_flow_spec();  // D = 6, context (m, n), float64
  const int64_t N = 5, D = spec.features, C = spec.context_features;
  flows::save_flow(dir.file("flow.h5"), flows::Flow(spec));
  const std::vector<double> x = ramp(N, D), c = ramp(N, C);
  // float32 inputs are widened to the flow's float64, as the engine converts them.
  write_plain_hdf5(dir.file("plain.h5"),
                   {{"inputs", H5T_IEEE_F32LE, {N, 6}, x}, {"context", H5T_IEEE_F64LE, {N, 2}, c}});

  const test::ProgramRun run = run_logprob(dir, dir.file("flow.h5") + " " + dir.file("plain.h5") + " --first 1");
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const flows::OpenedModel opened = flows::open_model(dir.file("flow.h5"));
  flows::FlowInputs inputs;
  inputs.x = slice(Tensor::from_vector(x, Shape{N, D}, DType::F32).to(spec.dtype), 0, 1, N);
  inputs.context = slice(Tensor::from_vector(c, Shape{N, C}, DType::F64), 0, 1, N);
  CHECK(run.out == tools::log_prob_csv(tools::batched_log_prob(opened.flow(), inputs, 1024), 1, D));
  CHECK(run.err.find("4 jets: mean log p = ") == 0);
}

TEST_CASE("tools/logprob: a bare flow's datasets of the wrong shape or type are named with the shape expected") {
  test::TempDir dir;
  const flows::FlowSpec spec = test::small_flow_spec();  // D = 6, C = 2
  flows::save_flow(dir.file("flow.h5"), flows::Flow(spec));
  const std::string flow = dir.file("flow.h5") + " ";
  const Dataset context{"context", H5T_IEEE_F64LE, {4, 2}, ramp(4, 2)};
  struct Case {
    std::vector<Dataset> datasets;
    std::vector<std::string> expected;  // parts of the one-line message, after the file name
  };
  const std::vector<Case> cases = {
      {{{"inputs", H5T_IEEE_F64LE, {4, 5}, ramp(4, 5)}, context},
       {"dataset \"inputs\" is float64 [4, 5], expected float32 or float64 [N, 6]"}},
      {{{"inputs", H5T_STD_I32LE, {4, 6}, ramp(4, 6)}, context},
       {"dataset \"inputs\" is int32 [4, 6], expected float32 or float64 [N, 6]"}},
      {{{"inputs", H5T_IEEE_F64LE, {24}, ramp(24, 1)}, context},
       {"dataset \"inputs\" is float64 [24], expected float32 or float64 [N, 6]"}},
      {{{"x", H5T_IEEE_F64LE, {4, 6}, ramp(4, 6)}, context},
       {"no dataset \"inputs\", expected float32 or float64 [N, 6]", "JetNet files need a jet model"}},
      {{{"inputs", H5T_IEEE_F64LE, {4, 6}, ramp(4, 6)}},
       {"no dataset \"context\", expected float32 or float64 [4, 2]", "2 context features"}},
      {{{"inputs", H5T_IEEE_F64LE, {4, 6}, ramp(4, 6)}, {"context", H5T_IEEE_F64LE, {3, 2}, ramp(3, 2)}},
       {"dataset \"context\" is float64 [3, 2], expected float32 or float64 [4, 2]"}},
      {{{"inputs", H5T_IEEE_F64LE, {4, 6}, ramp(4, 6)}, {"context", H5T_STD_U8LE, {4, 2}, ramp(4, 2)}},
       {"dataset \"context\" is uint8 [4, 2], expected float32 or float64 [4, 2]"}},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    CAPTURE(i);
    const std::string file = dir.file("case" + std::to_string(i) + ".h5");
    write_plain_hdf5(file, cases[i].datasets);
    std::vector<std::string> expected = {"bin/logprob: error: " + file + ": "};
    expected.insert(expected.end(), cases[i].expected.begin(), cases[i].expected.end());
    check_one_line_error(run_logprob(dir, flow + file), expected);
  }
  // Not HDF5, and a JetNet file (it needs a jet model's scaler).
  std::ofstream(dir.file("text.h5")) << "not hdf5\n";
  check_one_line_error(run_logprob(dir, flow + dir.file("text.h5")), {dir.file("text.h5") + ": not an HDF5 file"});
  data::write_jetnet(dir.file("g.h5"), test::jetnet_like_jets(3, 5));
  check_one_line_error(run_logprob(dir, flow + dir.file("g.h5")),
                       {dir.file("g.h5") + ": no dataset \"inputs\"", "JetNet files need a jet model"});
}

TEST_CASE("tools/logprob: a jet model still reads a JetNet file, preprocessed as in training") {
  test::TempDir dir;
  const flows::JetModel model = test::small_jet_model("cnf_mn");
  flows::save_jet_model(dir.file("model.h5"), model);
  const data::JetSet jets = test::jetnet_like_jets(7, 91);
  data::write_jetnet(dir.file("q.h5"), jets);
  const test::ProgramRun run = run_logprob(dir, dir.file("model.h5") + " " + dir.file("q.h5") + " --batch 3");
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const flows::OpenedModel opened = flows::open_model(dir.file("model.h5"));
  const flows::FlowInputs inputs = flows::read_flow_inputs(opened, dir.file("q.h5"));
  CHECK(run.out == tools::log_prob_csv(tools::batched_log_prob(opened.flow(), inputs, 3), 0, 90));
}
