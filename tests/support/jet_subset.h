// A small JetNet file for tests that run the evaluation: the first `jets` jets of a committed sample.
#pragma once

#include <cstdint>
#include <string>

#include "data/jetnet_hdf5.h"

namespace flowjet::test {

inline void write_jet_subset(const std::string& sample, const std::string& path, int64_t jets) {
  data::ReadOptions options;
  options.max_jets = jets;
  data::write_jetnet(path, data::read_jetnet(sample, options));
}

}  // namespace flowjet::test
