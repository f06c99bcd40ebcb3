// The bodies of the libFuzzer targets (docs/fuzzing.md), one plain function per reader, so the
// same code runs under `make fuzz` (clang, libFuzzer, ASan + UBSan) and in the regression replay
// of bin/test_reliability (any compiler). Each function feeds the bytes to its reader and returns
// normally when the reader accepts them or rejects them with a flowjet::Error; any other
// exception escapes (and is a finding), as does a crash.
#pragma once

#include <cstddef>
#include <cstdint>

namespace flowjet::fuzz {

/// read_torch_state_dict (zip or legacy format) on the bytes written to a temporary .pt file.
void fuzz_pt_reader(const uint8_t* data, size_t size);
/// tools::IniConfig::parse with the bin/train schema, then the checks and conversions bin/train
/// runs on a parsed configuration (require_complete, flow_spec_from, train_options_from).
void fuzz_ini_config(const uint8_t* data, size_t size);
/// data::read_jetnet (all stored particles, content checks on) and read_jetnet_attributes on the
/// bytes written to a temporary g.h5 (the name gives the jet type).
void fuzz_jetnet_reader(const uint8_t* data, size_t size);
/// load_checkpoint then flows::restore_jet_model (what load_jet_model does) on the bytes written to
/// a temporary checkpoint file.
void fuzz_checkpoint_reader(const uint8_t* data, size_t size);

}  // namespace flowjet::fuzz
