// The legacy torch.save reader on jetnet's pnet_state_dict.pt: every tensor name, shape, dtype
// and element sum of metric-definitions.md §10.3, and clear errors for corrupted copies.
#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <iterator>

#include "engine/core/error.h"
#include "engine/io/torch_legacy.h"
#include "tests/metrics/test_util.h"

using namespace flowjet;
using namespace flowjet::metrics;
using namespace flowjet::metrics::testing;

namespace {

struct TableRow {
  const char* name;
  const char* alias;  // "" when the storage has a single name
  std::vector<int64_t> shape;
  bool is_int64;
  double sum;  // metric-definitions.md §10.3 "sum of elements", printed to 9 significant digits
};

// metric-definitions.md §10.3, row by row.
const std::vector<TableRow>& tensor_table() {
  static const std::vector<TableRow> rows = {
    {"edge_nets.0.model.0.weight", "edge_convs.0.nn.model.0.weight", {64,6}, false, 4.13634773},
    {"edge_nets.0.model.0.bias", "edge_convs.0.nn.model.0.bias", {64}, false, 0.634321734},
    {"edge_nets.0.model.1.weight", "edge_convs.0.nn.model.1.weight", {64}, false, 63.9218957},
    {"edge_nets.0.model.1.bias", "edge_convs.0.nn.model.1.bias", {64}, false, 0.270383873},
    {"edge_nets.0.model.1.running_mean", "edge_convs.0.nn.model.1.running_mean", {64}, false, 1.13591885},
    {"edge_nets.0.model.1.running_var", "edge_convs.0.nn.model.1.running_var", {64}, false, 0.19109978},
    {"edge_nets.0.model.1.num_batches_tracked", "edge_convs.0.nn.model.1.num_batches_tracked", {}, true, 40125},
    {"edge_nets.0.model.3.weight", "edge_convs.0.nn.model.3.weight", {64,64}, false, 0.129579273},
    {"edge_nets.0.model.3.bias", "edge_convs.0.nn.model.3.bias", {64}, false, 0.515253228},
    {"edge_nets.0.model.4.weight", "edge_convs.0.nn.model.4.weight", {64}, false, 64.0214131},
    {"edge_nets.0.model.4.bias", "edge_convs.0.nn.model.4.bias", {64}, false, 0.681573881},
    {"edge_nets.0.model.4.running_mean", "edge_convs.0.nn.model.4.running_mean", {64}, false, 0.720960967},
    {"edge_nets.0.model.4.running_var", "edge_convs.0.nn.model.4.running_var", {64}, false, 8.91706405},
    {"edge_nets.0.model.4.num_batches_tracked", "edge_convs.0.nn.model.4.num_batches_tracked", {}, true, 40125},
    {"edge_nets.0.model.6.weight", "edge_convs.0.nn.model.6.weight", {64,64}, false, -9.46707984},
    {"edge_nets.0.model.6.bias", "edge_convs.0.nn.model.6.bias", {64}, false, -0.230167703},
    {"edge_nets.0.model.7.weight", "edge_convs.0.nn.model.7.weight", {64}, false, 63.7763801},
    {"edge_nets.0.model.7.bias", "edge_convs.0.nn.model.7.bias", {64}, false, -0.156359004},
    {"edge_nets.0.model.7.running_mean", "edge_convs.0.nn.model.7.running_mean", {64}, false, -3.52927374},
    {"edge_nets.0.model.7.running_var", "edge_convs.0.nn.model.7.running_var", {64}, false, 10.7636512},
    {"edge_nets.0.model.7.num_batches_tracked", "edge_convs.0.nn.model.7.num_batches_tracked", {}, true, 40125},
    {"edge_nets.1.model.0.weight", "edge_convs.1.nn.model.0.weight", {128,134}, false, 1.35011861},
    {"edge_nets.1.model.0.bias", "edge_convs.1.nn.model.0.bias", {128}, false, 0.828888347},
    {"edge_nets.1.model.1.weight", "edge_convs.1.nn.model.1.weight", {128}, false, 128.178671},
    {"edge_nets.1.model.1.bias", "edge_convs.1.nn.model.1.bias", {128}, false, -1.05542033},
    {"edge_nets.1.model.1.running_mean", "edge_convs.1.nn.model.1.running_mean", {128}, false, -2.08485523},
    {"edge_nets.1.model.1.running_var", "edge_convs.1.nn.model.1.running_var", {128}, false, 8.09789093},
    {"edge_nets.1.model.1.num_batches_tracked", "edge_convs.1.nn.model.1.num_batches_tracked", {}, true, 40125},
    {"edge_nets.1.model.3.weight", "edge_convs.1.nn.model.3.weight", {128,128}, false, -8.03510161},
    {"edge_nets.1.model.3.bias", "edge_convs.1.nn.model.3.bias", {128}, false, 0.237935227},
    {"edge_nets.1.model.4.weight", "edge_convs.1.nn.model.4.weight", {128}, false, 128.012992},
    {"edge_nets.1.model.4.bias", "edge_convs.1.nn.model.4.bias", {128}, false, -1.74509024},
    {"edge_nets.1.model.4.running_mean", "edge_convs.1.nn.model.4.running_mean", {128}, false, -2.49406953},
    {"edge_nets.1.model.4.running_var", "edge_convs.1.nn.model.4.running_var", {128}, false, 21.7589296},
    {"edge_nets.1.model.4.num_batches_tracked", "edge_convs.1.nn.model.4.num_batches_tracked", {}, true, 40125},
    {"edge_nets.1.model.6.weight", "edge_convs.1.nn.model.6.weight", {128,128}, false, 2.24700258},
    {"edge_nets.1.model.6.bias", "edge_convs.1.nn.model.6.bias", {128}, false, -0.15957317},
    {"edge_nets.1.model.7.weight", "edge_convs.1.nn.model.7.weight", {128}, false, 128.388471},
    {"edge_nets.1.model.7.bias", "edge_convs.1.nn.model.7.bias", {128}, false, -3.60446096},
    {"edge_nets.1.model.7.running_mean", "edge_convs.1.nn.model.7.running_mean", {128}, false, 1.16580907},
    {"edge_nets.1.model.7.running_var", "edge_convs.1.nn.model.7.running_var", {128}, false, 22.4333309},
    {"edge_nets.1.model.7.num_batches_tracked", "edge_convs.1.nn.model.7.num_batches_tracked", {}, true, 40125},
    {"edge_nets.2.model.0.weight", "edge_convs.2.nn.model.0.weight", {256,390}, false, -25.4409005},
    {"edge_nets.2.model.0.bias", "edge_convs.2.nn.model.0.bias", {256}, false, 0.658229913},
    {"edge_nets.2.model.1.weight", "edge_convs.2.nn.model.1.weight", {256}, false, 255.80827},
    {"edge_nets.2.model.1.bias", "edge_convs.2.nn.model.1.bias", {256}, false, -13.4241668},
    {"edge_nets.2.model.1.running_mean", "edge_convs.2.nn.model.1.running_mean", {256}, false, -1.08735134},
    {"edge_nets.2.model.1.running_var", "edge_convs.2.nn.model.1.running_var", {256}, false, 38.541763},
    {"edge_nets.2.model.1.num_batches_tracked", "edge_convs.2.nn.model.1.num_batches_tracked", {}, true, 40125},
    {"edge_nets.2.model.3.weight", "edge_convs.2.nn.model.3.weight", {256,256}, false, -67.8003927},
    {"edge_nets.2.model.3.bias", "edge_convs.2.nn.model.3.bias", {256}, false, 0.100999164},
    {"edge_nets.2.model.4.weight", "edge_convs.2.nn.model.4.weight", {256}, false, 254.139231},
    {"edge_nets.2.model.4.bias", "edge_convs.2.nn.model.4.bias", {256}, false, -13.062928},
    {"edge_nets.2.model.4.running_mean", "edge_convs.2.nn.model.4.running_mean", {256}, false, -23.5642759},
    {"edge_nets.2.model.4.running_var", "edge_convs.2.nn.model.4.running_var", {256}, false, 80.1270934},
    {"edge_nets.2.model.4.num_batches_tracked", "edge_convs.2.nn.model.4.num_batches_tracked", {}, true, 40125},
    {"edge_nets.2.model.6.weight", "edge_convs.2.nn.model.6.weight", {256,256}, false, -7.08225938},
    {"edge_nets.2.model.6.bias", "edge_convs.2.nn.model.6.bias", {256}, false, -0.0547117157},
    {"edge_nets.2.model.7.weight", "edge_convs.2.nn.model.7.weight", {256}, false, 274.478466},
    {"edge_nets.2.model.7.bias", "edge_convs.2.nn.model.7.bias", {256}, false, 1.52339334},
    {"edge_nets.2.model.7.running_mean", "edge_convs.2.nn.model.7.running_mean", {256}, false, -5.76106653},
    {"edge_nets.2.model.7.running_var", "edge_convs.2.nn.model.7.running_var", {256}, false, 83.4176748},
    {"edge_nets.2.model.7.num_batches_tracked", "edge_convs.2.nn.model.7.num_batches_tracked", {}, true, 40125},
    {"fc1.0.weight", "", {256,451}, false, -120.400764},
    {"fc1.0.bias", "", {256}, false, -0.20616984},
    {"fc2.weight", "", {5,256}, false, -9.86414698},
    {"fc2.bias", "", {5}, false, -0.0574823581},  };
  return rows;
}

std::string weights_path() { return fpnd_test_dir() + "/pnet_state_dict.pt"; }

std::vector<char> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  return std::vector<char>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string write_copy(const std::string& name, const std::vector<char>& bytes) {
  const std::string path = std::string(P_tmpdir) + "/flowjet_metrics_" + name;
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return path;
}

// Reads `bytes` as a weight file and returns the DataError message ("" if none was thrown).
std::string error_of(const std::string& name, const std::vector<char>& bytes) {
  const std::string path = write_copy(name, bytes);
  std::string message;
  try {
    read_torch_legacy_state_dict(path);
  } catch (const flowjet::DataError& e) {
    message = e.what();
  }
  std::remove(path.c_str());
  INFO("message: " << message);
  CHECK(message.find(path) != std::string::npos);  // every error names the file
  return message;
}

}  // namespace

TEST_CASE("metrics/torch_legacy_reader: all 130 names, shapes, dtypes and sums of metric-definitions.md §10.3") {
  const auto state = read_torch_legacy_state_dict(weights_path());
  CHECK(state.tensors.size() == 130);
  int64_t checked = 0;
  for (const auto& row : tensor_table()) {
    for (const char* name : {row.name, row.alias}) {
      if (*name == '\0') continue;
      INFO("tensor " << name);
      REQUIRE(state.contains(name));
      const auto& t = state.at(name);
      CHECK(t.shape == row.shape);
      CHECK((t.dtype == StoredDtype::Int64) == row.is_int64);
      double sum = 0.0;
      if (row.is_int64) {
        REQUIRE(t.i64.size() == static_cast<size_t>(t.numel()));
        for (const int64_t v : t.i64) sum += static_cast<double>(v);
      } else {
        REQUIRE(t.f32.size() == static_cast<size_t>(t.numel()));
        for (const float v : t.f32) sum += v;
      }
      CHECK_CLOSE(sum, row.sum, 5e-8, 1e-9);
      ++checked;
    }
  }
  CHECK(checked == 130);
  CHECK(state.at("edge_nets.0.model.1.num_batches_tracked").i64 == std::vector<int64_t>{40125});
  // Aliases hold the same data.
  CHECK(state.at("edge_nets.2.model.0.weight").f32 == state.at("edge_convs.2.nn.model.0.weight").f32);
  CHECK_THROWS_AS(state.at("fc3.weight"), flowjet::DataError);
}

TEST_CASE("metrics/torch_legacy_reader: corrupted copies give errors naming the file") {
  const auto bytes = read_bytes(weights_path());
  REQUIRE(bytes.size() == 1675245);

  auto truncated = bytes;
  truncated.resize(1000000);
  CHECK(error_of("truncated.pt", truncated).find("truncated") != std::string::npos);
  auto truncated_pickle = bytes;
  truncated_pickle.resize(5000);
  CHECK(error_of("truncated_pickle.pt", truncated_pickle).find("truncated") != std::string::npos);

  auto bad_magic = bytes;
  bad_magic[5] = static_cast<char>(0x00);
  CHECK(error_of("bad_magic.pt", bad_magic).find("magic") != std::string::npos);

  auto unknown_opcode = bytes;
  REQUIRE(unknown_opcode[139] == 'c');  // GLOBAL collections.OrderedDict, start of pickle 4
  unknown_opcode[139] = static_cast<char>(0x93);  // STACK_GLOBAL: not in the supported subset
  const auto opcode_message = error_of("unknown_opcode.pt", unknown_opcode);
  CHECK(opcode_message.find("0x93") != std::string::npos);
  CHECK(opcode_message.find("byte 139") != std::string::npos);

  auto bad_global = bytes;
  REQUIRE(std::string(bad_global.begin() + 140, bad_global.begin() + 151) == "collections");
  bad_global[140] = 'C';  // Collections.OrderedDict is not an allowed global
  CHECK(error_of("bad_global.pt", bad_global).find("Collections.OrderedDict") != std::string::npos);

  auto trailing = bytes;
  trailing.push_back(0);
  CHECK(error_of("trailing.pt", trailing).find("after the last storage record") != std::string::npos);

  CHECK(error_of("empty.pt", {}).find("truncated") != std::string::npos);
  CHECK_THROWS_AS(read_torch_legacy_state_dict("/nonexistent/flowjet/pnet_state_dict.pt"), flowjet::DataError);
}

TEST_CASE("metrics/torch_legacy_reader: sizes, shapes and strides far outside the file are refused, not read") {
  // Hand-made files (tools/py/make_torch_legacy_fixtures.py): one well-formed, and one each whose
  // storage claims 2^62 elements (4 * 2^62 bytes wrapped to 0 in an earlier bound check), whose shape
  // has 2^80 elements, and whose stride reaches 2^62 elements past the storage.
  const std::string dir = "tests/fixtures/torch_legacy/";
  const TorchStateDict ok = read_torch_legacy_state_dict(dir + "ok.pt");
  REQUIRE(ok.tensors.size() == 2);
  CHECK(ok.at("w").f32 == std::vector<float>{1.5f, -2.0f});
  CHECK(ok.at("b").f32 == std::vector<float>{0.25f});
  const std::pair<const char*, const char*> bad[] = {
      {"huge_storage.pt", "file truncated in the record of storage 0 (4611686018427387904 elements)"},
      {"huge_shape.pt", "tensor \"w\" claims too many elements"},
      {"wide_stride.pt", "tensor \"w\" reaches outside its storage"},
  };
  for (const auto& [file, message] : bad) {
    CAPTURE(file);
    CHECK_THROWS_WITH_AS(read_torch_legacy_state_dict(dir + file),
                         doctest::Contains(std::string(dir + file + ": ").c_str()), flowjet::DataError);
    CHECK_THROWS_WITH_AS(read_torch_legacy_state_dict(dir + file), doctest::Contains(message), flowjet::DataError);
  }
}
