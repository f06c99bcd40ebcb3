// Locating and reading the FPND resources shipped with jetnet (MIT): the reference statistics
// {g,q,t}_{mu,sigma}.txt (metric-definitions.md §9.4). The weight file is read by engine/io/torch_legacy.h.
#pragma once

#include <string>
#include <vector>

#include "metrics/frechet/frechet.h"

namespace flowjet::metrics {

/// One file of jetnet's 30-particle FPND resources and the SHA-256 of its bytes.
struct FpndResourceFile {
  const char* name;    ///< e.g. "pnet_state_dict.pt"
  const char* sha256;  ///< 64 lowercase hex digits
};

/// The seven resource files (pnet_state_dict.pt, {g,q,t}_{mu,sigma}.txt) with their SHA-256 sums:
/// the one list in the code; metrics/resources/fpnd/README.md shows the same sums.
const std::vector<FpndResourceFile>& fpnd_resource_files();

/// Checks that <directory>/<name> holds the bytes of jetnet's file `name` (fpnd_resource_files()).
/// Throws DataError naming the file when it is missing, and with the expected and actual SHA-256
/// when they differ; ConfigError for a name that is not one of the resource files.
void verify_fpnd_resource(const std::string& directory, const std::string& name);

/// Where default_fpnd_directory() looks, in order: only $FLOWJET_FPND_DIR when it is set and
/// non-empty; else, from the running program's directory (/proc/self/exe), the source tree's
/// metrics/resources/fpnd in the nearest directory above it that has one (bin/.. for the in-tree
/// programs), then <program dir>/../share/flowjet/fpnd (a program in PREFIX/bin beside
/// `make install`'s copy), and last metrics/resources/fpnd below the working directory.
std::vector<std::string> fpnd_search_path();

/// The first directory of fpnd_search_path() that holds pnet_state_dict.pt; when none does, the
/// first of the list (so that a later error names where the files were expected).
std::string default_fpnd_directory();

/// Whether `directory` holds the FPND weight file (pnet_state_dict.pt).
bool has_fpnd_resources(const std::string& directory);

/// Reads a vector file: one number per line (`%.18e`), e.g. g_mu.txt. Throws DataError naming
/// the file and line for a missing file, a bad number, or a line with more than one number.
std::vector<double> read_vector_file(const std::string& path);

/// Reads a square matrix file: each line holds the same number of space-separated numbers as
/// there are lines, e.g. g_sigma.txt. Throws DataError naming the file and line.
std::vector<double> read_square_matrix_file(const std::string& path, int64_t& dim);

/// mu and sigma of real jets of type jet_type ('g', 'q' or 't') from `directory`:
/// <type>_mu.txt and <type>_sigma.txt, their SHA-256 sums verified first (verify_fpnd_resource).
/// Checks that the sizes agree and sigma is symmetric.
/// Throws ConfigError for another jet type, DataError for file problems (naming the file).
GaussianStats load_fpnd_statistics(const std::string& directory, char jet_type);

}  // namespace flowjet::metrics
