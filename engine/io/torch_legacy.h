// Reader for PyTorch's legacy (pre-1.6, non-zip) torch.save files such as jetnet's
// pnet_state_dict.pt (metric-definitions.md §10). The pickles are interpreted by torch_pickle.h,
// which runs no code: other opcodes and globals are errors.
#pragma once

#include <string>

#include "engine/io/torch_state_dict.h"

namespace flowjet {

/// Reads a legacy torch.save file: checks the magic number (0x1950A86A20F9469CFC6C), protocol
/// version 1001 and little-endian system info, interprets the object pickle (a state dict, or a
/// checkpoint dict with one under "state_dict", of _rebuild_tensor_v2 tensors over Float-, Double-
/// or LongStorage), then reads the storage records in key-list order, checking each element count
/// and that the file ends after the last record. Tensors sharing a storage each get their own copy.
/// Throws DataError naming the file (and the byte offset, opcode or global) for anything else:
/// truncation, bad magic, unknown opcodes.
TorchStateDict read_torch_legacy_state_dict(const std::string& path);

}  // namespace flowjet
