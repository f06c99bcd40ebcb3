// Writing a JetNet HDF5 file (jet-samples.md §1.9) batch by batch, so that a generator's memory does not
// grow with the number of jets: the file is created under a temporary name next to its final
// one, batches are appended as they are produced, and finish() renames it. A writer destroyed
// before finish() (an exception, an interrupted run) removes its temporary file, so a file at the
// final name is always complete.
//
// Layout: the root datasets particle_features [N, P, 4] and jet_features [N, 4], float32
// little-endian, and the writer's string attributes, exactly as write_jetnet writes them; only
// the storage differs. The datasets are always chunked (kChunkJets jets per chunk, fewer when the
// total is smaller) with HDF5's Fletcher-32 checksum on every chunk, so a damaged byte is found on
// read; deflate is optional. Without a known total dimension 0 is unlimited and grows with every
// append; with a known total the datasets have that fixed size, which is what write_jetnet uses.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "data/jet_set.h"
#include "data/jetnet_hdf5.h"
#include "engine/io/hdf5_check.h"

namespace flowjet::data {

class JetNetStreamWriter {
 public:
  /// Jets per chunk (fewer when the total is smaller).
  static constexpr int64_t kChunkJets = 1024;

  /// Creates the temporary file and the empty datasets for jets of `particles` slots. Fails here,
  /// before any jets are produced, when the folder is missing or not writable (JetNetError
  /// WriteFailed naming `path`); BadShape for particles < 1 or a total < 1, BadRequest for a
  /// deflate level outside 0..9. `total_jets`: the number of jets that will be appended, when known in advance
  /// (fixed-size datasets); std::nullopt for extendable ones.
  JetNetStreamWriter(std::string path, int64_t particles, JetType type, WriteOptions options = {},
                     std::optional<int64_t> total_jets = std::nullopt);
  /// Removes the temporary file unless finish() succeeded.
  ~JetNetStreamWriter();
  JetNetStreamWriter(const JetNetStreamWriter&) = delete;
  JetNetStreamWriter& operator=(const JetNetStreamWriter&) = delete;

  /// Appends the rows of `batch` after the jets written so far. Throws JetNetError: BadShape when
  /// the batch's particle count or array sizes do not match, or it would exceed the total;
  /// BadRequest after finish(); WriteFailed when libhdf5 fails.
  void append(const JetSet& batch);

  /// Writes the attributes, closes the file and renames it to its final name. Throws JetNetError
  /// (BadShape when no jets, or fewer than the announced total, were appended; WriteFailed
  /// otherwise); the temporary file is removed on failure.
  void finish();

  int64_t jets_written() const { return written_; }
  const std::string& path() const { return path_; }
  const std::string& temporary_path() const { return temporary_; }

 private:
  [[noreturn]] void fail(const std::string& what) const;
  H5Handle create_dataset(const char* name, const std::vector<hsize_t>& row_dims);
  void write_rows(hid_t dataset, const char* name, const float* values, int64_t rows);
  void write_attribute(const std::string& name, const std::string& value);

  std::string path_;
  std::string temporary_;
  int64_t particles_;
  JetType type_;
  WriteOptions options_;
  std::optional<int64_t> total_;
  int64_t written_ = 0;
  bool finished_ = false;
  H5Handle file_;
  H5Handle particle_dataset_;
  H5Handle jet_dataset_;
};

}  // namespace flowjet::data
