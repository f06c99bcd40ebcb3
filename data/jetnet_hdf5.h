// Reading and writing JetNet HDF5 files (jet-samples.md §1): root datasets particle_features
// [N, P, 4] (eta_rel, phi_rel, pt_rel, mask) and jet_features [N, 4] (pt, eta, mass,
// num_particles), with the structure and content checks of jet-samples.md §4.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "data/jet_set.h"

namespace flowjet::data {

/// Options of read_jetnet.
struct ReadOptions {
  /// Particles per jet to return (P'); the first P' slots are read with a hyperslab. 0 = all
  /// stored. Asking for more than stored throws (BadRequest).
  int64_t particles = 30;
  /// Read at most this many jets (the first ones); < 0 = all.
  int64_t max_jets = -1;
  /// Run the content checks of jet-samples.md §4.3 (structure checks always run).
  bool validate = true;
  /// Strict mode (files the project writes): the warnings W1, W7, W9, W11, W13 become errors.
  bool strict = false;
  /// Replace num_particles by min(num_particles, P') and keep the raw values in
  /// JetSet::num_particles_raw.
  bool cap_num_particles = false;
  /// The jet type; when absent it is derived from the file name (g.hdf5, q150.hdf5, t.h5, ...).
  std::optional<JetType> type;
  /// Jets per read block (bounds the memory used for conversion).
  int64_t block_jets = 10000;
};

/// Reads a JetNet file into float32 arrays. Throws JetNetError (a flowjet::DataError) whose
/// kind() and message follow jet-samples.md §4: file missing/unreadable/not HDF5/truncated, missing
/// dataset, wrong rank or feature count, unsupported type or filter, bad request, and the
/// content checks. Non-fatal findings are appended to `warnings` when it is not null.
JetSet read_jetnet(const std::string& path, const ReadOptions& options = {},
                   std::vector<std::string>* warnings = nullptr);

/// Structure of a file without reading the data: jets N and stored particles P.
struct JetNetShape {
  int64_t jets = 0;
  int64_t particles = 0;
};
/// Opens the file and runs the structure checks only. Throws like read_jetnet.
JetNetShape inspect_jetnet(const std::string& path);

/// String attributes of the file's root group (other attribute types are skipped).
/// Throws like read_jetnet when the file cannot be opened.
std::map<std::string, std::string> read_jetnet_attributes(const std::string& path);

/// Options of write_jetnet.
struct WriteOptions {
  /// Deflate (gzip) compression level 1–9; 0 = uncompressed. The storage is always chunked with a
  /// Fletcher-32 checksum per chunk (docs/data_pipeline.md).
  int deflate_level = 0;
  /// Extra string attributes on the root group (provenance, jet-samples.md §1.9). The writer always
  /// adds jet_type, particle_feature_names and jet_feature_names.
  std::map<std::string, std::string> attributes;
};

/// Writes `jets` in the JetNet layout (float32, little-endian) to `path` via a temporary file in
/// the same directory that is renamed at the end, so a failure never leaves a partial file.
/// Throws JetNetError (BadShape when the arrays do not match the shape, WriteFailed otherwise).
void write_jetnet(const std::string& path, const JetSet& jets, const WriteOptions& options = {});

}  // namespace flowjet::data
