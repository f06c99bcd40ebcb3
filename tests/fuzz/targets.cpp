#include "tests/fuzz/targets.h"

#include <fstream>
#include <string>

#include "data/jetnet_hdf5.h"
#include "engine/core/error.h"
#include "engine/io/checkpoint.h"
#include "flows/io/jet_model.h"
#include "engine/io/torch_state_dict.h"
#include "tests/support/temp_dir.h"
#include "tools/common/train_config.h"

namespace flowjet::fuzz {
namespace {

// The readers take paths, so each input is written to a file in one directory per process
// (removed at exit); the file is overwritten by the next input.
std::string write_input(const std::string& name, const uint8_t* data, size_t size) {
  static const test::TempDir dir;
  const std::string path = dir.file(name);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  out.close();
  if (!out) throw InternalError("fuzz: cannot write the input file " + path);
  return path;
}

// Runs `read`; a flowjet::Error is the reader refusing the input, which is fine.
template <typename Read>
void expect_accept_or_refuse(Read read) {
  try {
    read();
  } catch (const InternalError&) {
    throw;  // a broken invariant inside flowjet is a finding, not a refusal
  } catch (const Error&) {
  }
}

}  // namespace

void fuzz_pt_reader(const uint8_t* data, size_t size) {
  const std::string path = write_input("state_dict.pt", data, size);
  expect_accept_or_refuse([&] { read_torch_state_dict(path); });
}

void fuzz_ini_config(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  expect_accept_or_refuse([&] {
    const tools::IniConfig config = tools::IniConfig::parse(text, "fuzz.ini", tools::train_schema());
    config.require_complete();
    tools::flow_spec_from(config);
    tools::train_options_from(config);
  });
}

void fuzz_jetnet_reader(const uint8_t* data, size_t size) {
  const std::string path = write_input("g.h5", data, size);
  data::ReadOptions options;
  options.particles = 0;
  expect_accept_or_refuse([&] { data::read_jetnet(path, options); });
  expect_accept_or_refuse([&] { data::read_jetnet_attributes(path); });
}

void fuzz_checkpoint_reader(const uint8_t* data, size_t size) {
  const std::string path = write_input("model.ckpt", data, size);
  expect_accept_or_refuse([&] { flows::restore_jet_model(load_checkpoint(path)); });
}

}  // namespace flowjet::fuzz
