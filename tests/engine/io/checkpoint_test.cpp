// Tests of HDF5 checkpoints: exact round trips of tensors and attributes, the checks and
// messages of load_into, atomic writes, and damaged files (truncated, corrupted, not HDF5,
// wrong format_version), which must give CheckpointError and print nothing.
#include <fcntl.h>
#include <hdf5.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "tests/support/temp_dir.h"

#include "engine/core/error.h"
#include "engine/io/checkpoint.h"
#include "engine/optim/adam.h"
#include "engine/random/generator.h"

using namespace flowjet;
namespace fs = std::filesystem;

namespace {

using test::TempDir;

// Values i * 0.37 - 1.5 with a few exactly representable oddities first.
Tensor pattern_tensor(const Shape& shape, DType dtype, double offset = 0.0) {
  std::vector<double> values(static_cast<std::size_t>(shape.numel()));
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<double>(i) * 0.37 - 1.5 + offset;
  if (!values.empty()) values[0] = -0.0;
  if (values.size() > 1) values[1] = 1e-300 * (dtype == DType::F64 ? 1.0 : 0.0) + 3.0e38 * (dtype == DType::F32);
  return Tensor::from_vector(values, shape, dtype);
}

bool same_bits(const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype() || a.shape() != b.shape()) return false;
  const std::size_t bytes = static_cast<std::size_t>(a.numel()) * dtype_size(a.dtype());
  return bytes == 0 || std::memcmp(a.raw_data(), b.raw_data(), bytes) == 0;
}

NamedTensors sample_tensors() {
  return {
      {"scalar_f64", Tensor::full(Shape{}, 2.718281828459045, DType::F64)},
      {"scalar_f32", Tensor::full(Shape{}, -0.125f, DType::F32)},
      {"transforms.0.bias", pattern_tensor(Shape{5}, DType::F32)},
      {"transforms.0.weight", pattern_tensor(Shape{3, 4}, DType::F64)},
      {"conv.kernel", pattern_tensor(Shape{2, 3, 1, 5}, DType::F32)},
      {"empty_rows", Tensor::zeros(Shape{0, 3}, DType::F64)},
      {"empty_1d", Tensor::zeros(Shape{0}, DType::F32)},
      {"big", pattern_tensor(Shape{700, 300}, DType::F64)},  // 1.68 MB: split into several chunks
      {"aux/scaler.mean", pattern_tensor(Shape{4}, DType::F64, 0.5)},
      {"aux/sampler/pchip.knots", pattern_tensor(Shape{2, 6}, DType::F64, 2.0)},
  };
}

Attributes sample_attributes() {
  return {{"model", std::string("rqs_coupling")},
          {"empty_text", std::string("")},
          {"unicode", std::string("\xce\xb7_rel, \xcf\x86_rel")},
          {"step", int64_t{123456789012}},
          {"negative", int64_t{-7}},
          {"lr", 1e-3},
          {"tiny", 4.9e-324},
          {"history", std::vector<double>{1.5, -2.25, 1e300}},
          {"no_history", std::vector<double>{}}};
}

// Runs fn with stderr sent to a file and returns what was printed there.
template <class Fn>
std::string captured_stderr(const TempDir& dir, Fn&& fn) {
  const std::string log = dir.file("stderr.log");
  std::fflush(stderr);
  const int saved = ::dup(2);
  const int fd = ::open(log.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0644);
  ::dup2(fd, 2);
  ::close(fd);
  fn();
  std::fflush(stderr);
  ::dup2(saved, 2);
  ::close(saved);
  std::ifstream in(log);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  fs::remove(log);
  return text;
}

std::string load_error(const std::string& path) {
  try {
    load_checkpoint(path);
  } catch (const CheckpointError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("io/checkpoint: tensors and attributes of every kind round trip exactly") {
  TempDir dir;
  const std::string path = dir.file("run.h5");
  NamedTensors tensors = sample_tensors();
  save_checkpoint(path, tensors, sample_attributes());
  CHECK(dir.listing() == std::vector<std::string>{"run.h5"});  // no temporary file left

  Checkpoint loaded = load_checkpoint(path);
  CHECK(loaded.path == path);
  REQUIRE(loaded.tensors.size() == tensors.size());
  for (const NamedTensor& t : tensors) {
    CAPTURE(t.name);
    const Tensor* found = loaded.find(t.name);
    REQUIRE(found != nullptr);
    CHECK(same_bits(*found, t.tensor));
  }
  for (std::size_t i = 1; i < loaded.tensors.size(); ++i) CHECK(loaded.tensors[i - 1].name < loaded.tensors[i].name);
  CHECK(loaded.attributes == sample_attributes());  // "format" and "format_version" are checked and removed
  CHECK(loaded.string_attribute("model") == "rqs_coupling");
  CHECK(loaded.int_attribute("step") == 123456789012);
  CHECK(loaded.double_attribute("lr") == 1e-3);
  CHECK(loaded.double_attribute("negative") == -7.0);
  CHECK(loaded.doubles_attribute("no_history").empty());
  CHECK_THROWS_WITH_AS(loaded.int_attribute("lr"), doctest::Contains("attribute \"lr\" is not an integer"),
                       CheckpointError);
  CHECK_THROWS_WITH_AS(loaded.string_attribute("nope"), doctest::Contains((path + ": attribute \"nope\" is missing").c_str()),
                       CheckpointError);

  NamedTensors aux = loaded.tensors_under("aux/");
  REQUIRE(aux.size() == 2);
  CHECK(aux[0].name == "sampler/pchip.knots");
  CHECK(aux[1].name == "scaler.mean");
}

TEST_CASE("io/checkpoint: the HDF5 layout uses groups for '/', checksums and the format attributes") {
  TempDir dir;
  const std::string path = dir.file("layout.h5");
  save_checkpoint(path, sample_tensors());
  hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(file >= 0);
  CHECK(H5Lexists(file, "aux", H5P_DEFAULT) > 0);
  CHECK(H5Lexists(file, "transforms.0.weight", H5P_DEFAULT) > 0);
  hid_t dataset = H5Dopen2(file, "aux/scaler.mean", H5P_DEFAULT);
  REQUIRE(dataset >= 0);
  hid_t dcpl = H5Dget_create_plist(dataset);
  CHECK(H5Pget_layout(dcpl) == H5D_CHUNKED);
  CHECK(H5Pget_nfilters(dcpl) == 1);
  CHECK(H5Pget_filter2(dcpl, 0, nullptr, nullptr, nullptr, 0, nullptr, nullptr) == H5Z_FILTER_FLETCHER32);
  H5Pclose(dcpl);
  H5Dclose(dataset);
  int64_t version = 0;
  hid_t attr = H5Aopen(file, "format_version", H5P_DEFAULT);
  REQUIRE(attr >= 0);
  H5Aread(attr, H5T_NATIVE_INT64, &version);
  H5Aclose(attr);
  CHECK(version == 1);
  H5Fclose(file);
}

TEST_CASE("io/checkpoint: load_into copies values, and reports missing, shape and dtype problems without copying") {
  TempDir dir;
  const std::string path = dir.file("model.h5");
  save_checkpoint(path, with_prefix("model.", {{"w", pattern_tensor(Shape{2, 3}, DType::F32)},
                                               {"b", pattern_tensor(Shape{3}, DType::F64)}}));

  Tensor w = Tensor::zeros(Shape{2, 3}, DType::F32);
  Tensor b = Tensor::zeros(Shape{3}, DType::F64);
  load_into(path, {{"w", w}, {"b", b}}, "model.");
  CHECK(same_bits(w, pattern_tensor(Shape{2, 3}, DType::F32)));
  CHECK(same_bits(b, pattern_tensor(Shape{3}, DType::F64)));

  Tensor untouched = Tensor::full(Shape{2, 3}, 9.0, DType::F32);
  Tensor wrong_shape = Tensor::full(Shape{3, 2}, 9.0, DType::F32);
  Tensor wrong_dtype = Tensor::full(Shape{3}, 9.0, DType::F32);
  Tensor missing = Tensor::full(Shape{4}, 9.0, DType::F64);
  try {
    load_into(path, {{"w", untouched}, {"w", wrong_shape}, {"b", wrong_dtype}, {"gamma", missing}}, "model.");
    FAIL("load_into accepted incompatible tensors");
  } catch (const CheckpointError& e) {
    const std::string msg = e.what();
    CHECK(msg.find(path + ": ") == 0);
    CHECK(msg.find("tensor \"model.w\" has f32[2, 3], expected f32[3, 2]") != std::string::npos);
    CHECK(msg.find("tensor \"model.b\" has f64[3], expected f32[3]") != std::string::npos);
    CHECK(msg.find("tensor \"model.gamma\" is missing (expected f64[4])") != std::string::npos);
  }
  CHECK(untouched.to_vector() == std::vector<double>(6, 9.0));  // checks happen before any copy
  CHECK(wrong_shape.to_vector() == std::vector<double>(6, 9.0));
}

TEST_CASE("io/checkpoint: Adam state and generator state resume exactly") {
  TempDir dir;
  const std::string path = dir.file("resume.h5");
  Tensor theta = Tensor::from_vector({0.5, -1.5, 3.0}, Shape{3}, DType::F32).set_requires_grad();
  Adam adam({{"theta", theta}}, AdamOptions::adamw(1e-2));
  theta.set_grad(Tensor::from_vector({0.1, 0.2, -0.3}, Shape{3}, DType::F32));
  adam.step();
  Generator gen(UINT64_MAX, 12345);
  Attributes attributes;
  put_generator_state(attributes, "generator", gen);
  NamedTensors all = with_prefix("model.", {{"theta", theta}});
  for (NamedTensor& s : with_prefix("optim/", adam.state())) all.push_back(s);
  save_checkpoint(path, all, attributes);

  Tensor theta2 = Tensor::zeros(Shape{3}, DType::F32).set_requires_grad();
  Adam adam2({{"theta", theta2}}, AdamOptions::adamw(1e-2));
  Checkpoint loaded = load_into(path, {{"theta", theta2}}, "model.");
  adam2.load_state(loaded.tensors_under("optim/"));
  Generator gen2;
  restore_generator_state(loaded, "generator", gen2);
  CHECK(gen2.seed() == UINT64_MAX);
  CHECK(gen2.offset() == 12345);
  CHECK(random_normal(Shape{8}, gen2).to_vector() == random_normal(Shape{8}, gen).to_vector());

  for (Tensor t : {theta, theta2}) t.set_grad(Tensor::from_vector({-0.4, 0.0, 1.0}, Shape{3}, DType::F32));
  adam.step();
  adam2.step();
  CHECK(theta.to_vector() == theta2.to_vector());
  CHECK(adam2.step_count("theta") == 2);

  Attributes bad = {{"generator.seed", std::string("-1")}, {"generator.offset", std::string("7")}};
  save_checkpoint(path, {}, bad);
  CHECK_THROWS_WITH_AS(restore_generator_state(load_checkpoint(path), "generator", gen2),
                       doctest::Contains("\"generator.seed\" = \"-1\" is not an unsigned 64-bit integer"),
                       CheckpointError);
}

TEST_CASE("io/checkpoint: invalid names are refused before anything is written") {
  TempDir dir;
  const std::string path = dir.file("names.h5");
  Tensor t = Tensor::zeros(Shape{1});
  for (const char* name : {"", "/abs", "trailing/", "a//b", "../up", "a/./b"}) {
    CAPTURE(name);
    CHECK_THROWS_AS(save_checkpoint(path, {{name, t}}), CheckpointError);
  }
  CHECK_THROWS_WITH_AS(save_checkpoint(path, {{"x", t}, {"x", t}}), doctest::Contains("\"x\": the name appears twice"),
                       CheckpointError);
  CHECK_THROWS_WITH_AS(save_checkpoint(path, {{"x", Tensor()}}), doctest::Contains("undefined"), CheckpointError);
  CHECK_THROWS_WITH_AS(save_checkpoint(path, {}, {{"format_version", int64_t{2}}}), doctest::Contains("reserved"),
                       CheckpointError);
  CHECK(dir.listing().empty());
}

TEST_CASE("io/checkpoint: a failed write leaves no partial file and keeps the previous one") {
  TempDir dir;
  const std::string missing_dir = dir.file("no_such_dir/run.h5");
  CHECK_THROWS_WITH_AS(save_checkpoint(missing_dir, sample_tensors()), doctest::Contains(missing_dir.c_str()),
                       CheckpointError);
  CHECK(dir.listing().empty());

  const std::string path = dir.file("run.h5");
  save_checkpoint(path, {{"w", pattern_tensor(Shape{4}, DType::F64)}}, {{"step", int64_t{1}}});
  // "a" is a dataset, so HDF5 cannot create the group "a" for "a/b": the write fails midway.
  std::string stderr_text = captured_stderr(dir, [&] {
    CHECK_THROWS_WITH_AS(save_checkpoint(path, {{"w", Tensor::zeros(Shape{4}, DType::F64)},
                                                {"a", Tensor::zeros(Shape{1})},
                                                {"a/b", Tensor::zeros(Shape{1})}},
                                         {{"step", int64_t{2}}}),
                         doctest::Contains("writing tensor \"a/b\""), CheckpointError);
  });
  CHECK(stderr_text.empty());
  CHECK(dir.listing() == std::vector<std::string>{"run.h5"});
  Checkpoint old = load_checkpoint(path);
  CHECK(old.int_attribute("step") == 1);
  CHECK(same_bits(old.tensor("w"), pattern_tensor(Shape{4}, DType::F64)));
}

TEST_CASE("io/checkpoint: damaged files give CheckpointError naming the file and print nothing") {
  TempDir dir;
  const std::string good = dir.file("good.h5");
  // A tensor of distinctive values whose raw bytes can be found in the file.
  std::vector<double> values(512);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = 1000.0 + 0.125 * static_cast<double>(i);
  save_checkpoint(good, {{"marker", Tensor::from_vector(values, Shape{512}, DType::F64)},
                         {"w", pattern_tensor(Shape{64, 8}, DType::F32)}},
                  sample_attributes());
  std::ifstream in(good, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());

  std::string stderr_text = captured_stderr(dir, [&] {
    // Truncated to half its size.
    const std::string truncated = dir.file("truncated.h5");
    std::ofstream(truncated, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
    std::string msg = load_error(truncated);
    CHECK(msg.find(truncated + ": cannot open the checkpoint") == 0);

    // One flipped byte inside the marker's data: Fletcher-32 catches it.
    std::string corrupted_bytes = bytes;
    double probe = values[100];
    std::string needle(reinterpret_cast<const char*>(&probe), sizeof probe);
    std::size_t at = corrupted_bytes.find(needle);
    REQUIRE(at != std::string::npos);
    corrupted_bytes[at + 3] = static_cast<char>(corrupted_bytes[at + 3] ^ 0x10);
    const std::string corrupted = dir.file("corrupted.h5");
    std::ofstream(corrupted, std::ios::binary).write(corrupted_bytes.data(),
                                                     static_cast<std::streamsize>(corrupted_bytes.size()));
    msg = load_error(corrupted);
    CHECK(msg.find(corrupted + ": reading tensor \"marker\"") == 0);
    CHECK(msg.find("checksum mismatch") != std::string::npos);

    const std::string text = dir.file("notes.txt");
    std::ofstream(text) << "not a checkpoint\n";
    CHECK(load_error(text) == text + ": not an HDF5 file");
    const std::string empty = dir.file("empty.h5");
    std::ofstream{empty};
    CHECK(load_error(empty) == empty + ": not an HDF5 file");
    CHECK(load_error(dir.file("absent.h5")) == dir.file("absent.h5") + ": no such checkpoint file");
  });
  CHECK(stderr_text.empty());
}

TEST_CASE("io/checkpoint: foreign HDF5 files and other format versions are refused") {
  TempDir dir;
  const std::string plain = dir.file("plain.h5");
  hid_t file = H5Fcreate(plain.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  REQUIRE(file >= 0);
  H5Fclose(file);
  CHECK(load_error(plain) == plain + ": not a flowjet checkpoint (root attribute \"format\" is not \"flowjet-checkpoint\")");

  const std::string future = dir.file("future.h5");
  save_checkpoint(future, {{"w", Tensor::zeros(Shape{2})}});
  file = H5Fopen(future.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  REQUIRE(file >= 0);
  hid_t attr = H5Aopen(file, "format_version", H5P_DEFAULT);
  const int64_t two = 2;
  H5Awrite(attr, H5T_NATIVE_INT64, &two);
  H5Aclose(attr);
  H5Fclose(file);
  CHECK(load_error(future) == future + ": format_version 2 is not supported, this build reads format_version 1");
}
