// Locating and reading the FPND resources shipped with jetnet (MIT): the reference statistics
// {g,q,t}_{mu,sigma}.txt (spec metrics.md 9.4). The weight file is read by torch_legacy_reader.h.
#pragma once

#include <string>

#include "metrics/frechet.h"

namespace flowjet::metrics {

/// The FPND resource directory: $FLOWJET_FPND_DIR if set and non-empty, else the copy of jetnet's
/// files committed in metrics/resources/fpnd (relative to the working directory: the repository
/// root, where the tools and tests run).
std::string default_fpnd_directory();

/// Reads a vector file: one number per line (`%.18e`), e.g. g_mu.txt. Throws DataError naming
/// the file and line for a missing file, a bad number, or a line with more than one number.
std::vector<double> read_vector_file(const std::string& path);

/// Reads a square matrix file: each line holds the same number of space-separated numbers as
/// there are lines, e.g. g_sigma.txt. Throws DataError naming the file and line.
std::vector<double> read_square_matrix_file(const std::string& path, int64_t& dim);

/// mu and sigma of real jets of type jet_type ('g', 'q' or 't') from `directory`:
/// <type>_mu.txt and <type>_sigma.txt. Checks that the sizes agree and sigma is symmetric.
/// Throws ConfigError for another jet type, DataError for file problems (naming the file).
GaussianStats load_fpnd_statistics(const std::string& directory, char jet_type);

}  // namespace flowjet::metrics
