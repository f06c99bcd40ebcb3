// Checkpoints: named tensors plus attributes in one HDF5 file, written atomically (temporary
// file in the same directory, then rename) and read back with every field checked.
//
// File layout (format "flowjet-checkpoint", format_version 1), readable with h5py and h5dump:
//  - each tensor is one dataset whose HDF5 path is the tensor name: dots stay in the dataset
//    name ("transforms.0.weight" is a dataset in the root group) and "/" separates groups, so
//    auxiliary arrays stored under "aux/..." (scaler, conditional sampler) and optimiser state
//    under e.g. "optim/..." land in groups of those names. f32 and f64 are kept as IEEE
//    little-endian floats; 0-d tensors are scalar datasets.
//  - non-empty datasets of rank >= 1 are chunked with a Fletcher-32 checksum; 0-d and empty
//    tensors are compact datasets inside their object header, which is checksummed (the file
//    uses the HDF5 1.8+ object format). Some index metadata has no checksum: a byte-flip sweep
//    of a 12 kB file made HDF5 1.10 itself crash or hang at 4 of ~4100 positions.
//  - attributes of the root group hold the training state: string, int64, double or vector of
//    doubles, plus "format" = "flowjet-checkpoint" and "format_version" = 1.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "engine/nn/named_tensor.h"
#include "engine/random/generator.h"

namespace flowjet {

inline constexpr const char* kCheckpointFormat = "flowjet-checkpoint";
inline constexpr int64_t kCheckpointFormatVersion = 1;

using AttributeValue = std::variant<std::string, int64_t, double, std::vector<double>>;
/// Attributes by name; the names "format" and "format_version" are reserved for the file format.
using Attributes = std::map<std::string, AttributeValue>;

/// A checkpoint read back into memory (CPU tensors).
struct Checkpoint {
  std::string path;
  NamedTensors tensors;   // sorted by name
  Attributes attributes;  // without the reserved "format" and "format_version"

  /// The tensor called `name`, or nullptr.
  const Tensor* find(const std::string& name) const;
  /// The tensor called `name`; throws CheckpointError naming the file when it is missing.
  const Tensor& tensor(const std::string& name) const;
  /// The tensors whose names start with `prefix`, with the prefix removed (e.g. "optim/" to
  /// feed Adam::load_state); shared, not copied.
  NamedTensors tensors_under(const std::string& prefix) const;
  /// Typed attribute access; each throws CheckpointError naming the file and key when the
  /// attribute is missing or has another type (an int64 is accepted where a double is asked).
  const std::string& string_attribute(const std::string& key) const;
  int64_t int_attribute(const std::string& key) const;
  double double_attribute(const std::string& key) const;
  const std::vector<double>& doubles_attribute(const std::string& key) const;
};

/// Writes `tensors` and `attributes` to `path` atomically: into "<path>.tmp-<pid>-<n>" in the
/// same directory, synced, then renamed over `path`. On any failure the temporary file is removed,
/// a previous file at `path` is left intact and CheckpointError names the file and the problem.
/// Tensor names must be non-empty, unique, without a leading or trailing "/", "//", or a "." or
/// ".." component; CUDA tensors are copied to the host first.
void save_checkpoint(const std::string& path, const NamedTensors& tensors, const Attributes& attributes = {});

/// Reads every dataset and attribute. Throws CheckpointError naming the file when it is missing,
/// not HDF5, truncated or corrupted (a checksum fails), not a flowjet checkpoint, of another
/// format_version, or holds a dataset that is not a float tensor of rank <= 4.
Checkpoint load_checkpoint(const std::string& path);

/// Checks that for every tensor t of `expected` the checkpoint holds prefix + t.name with the
/// same dtype and shape; throws CheckpointError listing the file and, for each problem, the
/// tensor name with expected and found dtype and shape.
void check_compatible(const Checkpoint& checkpoint, const NamedTensors& expected, const std::string& prefix = "");
/// check_compatible, then copies the values into the expected tensors (nothing is copied when a
/// check fails).
void copy_into(const Checkpoint& checkpoint, const NamedTensors& expected, const std::string& prefix = "");
/// load_checkpoint(path) then copy_into; returns the checkpoint for its attributes and other tensors.
Checkpoint load_into(const std::string& path, const NamedTensors& expected, const std::string& prefix = "");

/// The same tensors with `prefix` put before each name (shared, not copied): with_prefix("aux/", t).
NamedTensors with_prefix(const std::string& prefix, const NamedTensors& tensors);

/// Stores a Generator's (seed, offset) as the decimal-string attributes "<key>.seed" and
/// "<key>.offset" (exact for every uint64).
void put_generator_state(Attributes& attributes, const std::string& key, const Generator& generator);
/// Restores what put_generator_state stored; throws CheckpointError when missing or malformed.
void restore_generator_state(const Checkpoint& checkpoint, const std::string& key, Generator& generator);

}  // namespace flowjet
