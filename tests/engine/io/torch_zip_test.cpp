// The PyTorch file readers of engine/io (torch_zip.h, torch_legacy.h, torch_state_dict.h) on the
// fixtures of tools/py/make_import_fixtures.py: names, dtypes, shapes and values of both formats,
// the zip directory, and refusals that name the file.
#include <doctest/doctest.h>

#include <cstring>
#include <string>

#include "engine/core/error.h"
#include "engine/io/torch_legacy.h"
#include "engine/io/torch_zip.h"
#include "tests/support/error_message.h"

using namespace flowjet;

namespace {
const std::string kDir = "tests/fixtures/import/";
}

TEST_CASE("engine/io/torch_zip: CRC-32 of the standard check string") {
  const char* text = "123456789";
  CHECK(zip_crc32(reinterpret_cast<const unsigned char*>(text), std::strlen(text)) == 0xCBF43926u);
  CHECK(zip_crc32(nullptr, 0) == 0u);
}

TEST_CASE("engine/io/torch_zip: a zip-format state dict: int64 index buffers, float64 weights, the archive's entries") {
  const TorchStateDict state = read_torch_state_dict(kDir + "rqs_c2_bn_zip.pt");
  CHECK(state.container_key.empty());
  const StoredTensor& transformed = state.at("_transform._transforms.0.transform_features");
  CHECK(transformed.dtype == StoredDtype::Int64);
  CHECK(transformed.i64 == std::vector<int64_t>{0});
  CHECK(state.at("_transform._transforms.1.identity_features").i64 == std::vector<int64_t>{0, 4});
  const StoredTensor& weight = state.at("_transform._transforms.0.transform_net.initial_layer.weight");
  CHECK(weight.dtype == StoredDtype::Float64);
  CHECK(weight.shape == std::vector<int64_t>{6, 6});  // 4 identity features + 2 context, hidden 6
  CHECK(weight.f64.size() == 36);
  CHECK(weight.to_doubles() == weight.f64);
  CHECK(state.at("_transform._transforms.0.transform_net.blocks.0.batch_norm_layers.0.num_batches_tracked").shape.empty());
  CHECK_THROWS_WITH_AS(state.at("nothing"), doctest::Contains("rqs_c2_bn_zip.pt: no tensor named \"nothing\""), DataError);
}

TEST_CASE("engine/io/torch_zip: float32 through a transposed (strided) view, float64 and int64") {
  const TorchStateDict tiny = read_torch_state_dict(kDir + "tiny.pt");
  REQUIRE(tiny.tensors.size() == 3);
  CHECK(tiny.tensors[0].name == "w");
  CHECK(tiny.at("w").shape == std::vector<int64_t>{2, 2});
  CHECK(tiny.at("w").f32 == std::vector<float>{1.5f, 0.25f, -2.0f, 4.0f});  // the transpose, made contiguous
  CHECK(tiny.at("d").f64 == std::vector<double>{0.1});
  CHECK(tiny.at("i").i64 == std::vector<int64_t>{3, 1});
  CHECK(std::string(stored_dtype_name(tiny.at("i").dtype)) == "int64");
}

TEST_CASE("engine/io/torch_zip: a Lightning-style checkpoint gives its \"state_dict\" entry; the legacy format reads alike") {
  const TorchStateDict lightning = read_torch_state_dict(kDir + "rqs_c1_bn_lightning.ckpt");
  CHECK(lightning.container_key == "state_dict");
  CHECK(lightning.contains("flow._transform._transforms.1.transform_net.final_layer.bias"));
  CHECK(lightning.at("flow._transform._transforms.1.transform_net.final_layer.bias").dtype == StoredDtype::Float32);
  const TorchStateDict legacy = read_torch_state_dict(kDir + "affine_c0_legacy.pt");
  CHECK(legacy.at("_transform._transforms.1.transform_features").i64 == std::vector<int64_t>{1, 2, 3});
  // nflows' context_features = 0: a context layer with zero inputs.
  CHECK(legacy.at("_transform._transforms.0.transform_net.blocks.0.context_layer.weight").shape ==
        std::vector<int64_t>{5, 0});
  CHECK(test::contains(test::error_message<DataError>([] { read_torch_legacy_state_dict(kDir + "rqs_c2_bn_zip.pt"); }),
                       "a zip archive (PyTorch >= 1.6 format), not the legacy format"));
}

TEST_CASE("engine/io/torch_zip: the directory has stored entries whose data lie inside the file") {
  const TorchStateDict state = read_torch_state_dict(kDir + "affine_none_bn_zip.pt");
  CHECK(!state.tensors.empty());
  const std::pair<const char*, const char*> bad[] = {
      {"evil_global.pt", "data.pkl: byte 2: GLOBAL os.system is not allowed"},
      {"evil_global_legacy.pt", "GLOBAL os.system is not allowed"},
      {"evil_reduce.pt", "REDUCE of unsupported callable \"torch FloatStorage\""},
      {"recursive.pt", "a value stored inside itself"},
      {"not_a_dict.pt", "the pickled object is not a dict"},
      {"compressed.pt", "is compressed (method 8)"},
      {"truncated.pt", "no end-of-central-directory record"},
      {"corrupted.pt", "entry \"affine_none_bn_zip/data/0\" fails its CRC-32 check"},
      {"zip64_bogus.pt", "the zip64 end record disagrees"},
      {"encrypted.pt", "entry \"affine_none_bn_zip/data.pkl\" is encrypted"},
      {"short_storage.pt", "storage 0 holds 8 bytes, the pickle says 2 int64 elements"},
  };
  for (const auto& [file, message] : bad) {
    CAPTURE(std::string(file));
    const std::string text = test::error_message<DataError>([&] { read_torch_state_dict(kDir + file); });
    CHECK(test::contains(text, kDir + file + ": "));
    CHECK(test::contains(text, message));
  }
}

TEST_CASE("engine/io/torch_pickle: nesting is limited and stacks must balance") {
  auto run = [](std::vector<unsigned char> bytes) {
    std::size_t pos = 0;
    return test::error_message<DataError>([&] { unpickle("p.pkl", bytes, pos); });
  };
  std::vector<unsigned char> nested = {0x80, 2, 'N'};
  nested.insert(nested.end(), 1000, 0x85);  // TUPLE1, 1000 levels: accepted
  nested.push_back('.');
  CHECK(run(nested) == "(no exception of the expected type)");
  nested.insert(nested.end() - 1, 0x85);  // 1001 levels
  CHECK(test::contains(run(nested), "p.pkl: byte 1003: values nested more than 1000 levels deep"));
  CHECK(test::contains(run({0x80, 2, 'N', 'N', '.'}), "STOP with a malformed pickle stack"));
  CHECK(test::contains(run({0x80, 2, '(', 'N', '.'}), "STOP with a malformed pickle stack"));
  CHECK(test::contains(run({0x80, 2, 0x85, '.'}), "pickle stack underflow"));
  CHECK(test::contains(run({0x80, 4, 'N', '.'}), "pickle protocol 4, expected 2"));
  CHECK(test::contains(run({0x80, 2, 'h', 7, '.'}), "memo get of unset index 7"));
  CHECK(test::contains(run({0x80, 2, 'X', 0xff, 0xff, 0xff, 0x7f}), "file truncated"));
  // NEWOBJ builds only an empty Lightning AttributeDict (a plain dict).
  auto global = [](const std::string& module, const std::string& name, std::vector<unsigned char> tail) {
    std::vector<unsigned char> bytes = {0x80, 2, 'c'};
    bytes.insert(bytes.end(), module.begin(), module.end());
    bytes.push_back('\n');
    bytes.insert(bytes.end(), name.begin(), name.end());
    bytes.push_back('\n');
    bytes.insert(bytes.end(), tail.begin(), tail.end());
    return bytes;
  };
  CHECK(run(global("lightning_fabric.utilities.data", "AttributeDict", {')', 0x81, '.'})) ==
        "(no exception of the expected type)");
  CHECK(test::contains(run(global("lightning_fabric.utilities.data", "AttributeDict", {'N', 0x85, 0x81, '.'})),
                       "NEWOBJ of unsupported class \"lightning_fabric.utilities.data AttributeDict\""));
  CHECK(test::contains(run(global("collections", "OrderedDict", {')', 0x81, '.'})),
                       "NEWOBJ of unsupported class \"collections OrderedDict\""));
  CHECK(test::contains(run(global("builtins", "eval", {')', 0x81, '.'})), "GLOBAL builtins.eval is not allowed"));
  // A dict stored in a list, then changed through the memo: refused (no value may come to contain itself).
  CHECK(test::contains(run({0x80, 2, ']', '}', 'q', 0, 'a', 'h', 0, 'N', 'N', 's', '.'}),
                       "SETITEM(S) modifies a value already stored in another"));
}
