// Typed data errors (jet-samples.md §4.1): every failure of the JetNet reader, writer and validator
// is a JetNetError, a flowjet::DataError carrying the kind of problem so tests can assert on it.
#pragma once

#include <string>

#include "engine/core/error.h"

namespace flowjet::data {

/// The kinds of jet-samples.md §4.1 (plus WriteFailed for the writer).
enum class DataErrorKind {
  NotFound,
  Unreadable,
  NotHdf5,
  CorruptFile,
  MissingDataset,
  BadShape,
  BadType,
  UnsupportedFilter,
  NonFinite,
  BadMask,
  BadPadding,
  BadOrdering,
  OutOfRange,
  Inconsistent,
  BadRequest,
  WriteFailed,
};

/// Name of a kind, e.g. "BadMask".
const char* to_string(DataErrorKind kind);

/// A data file problem: message names the file, dataset and location; kind() says which check.
class JetNetError : public flowjet::DataError {
 public:
  JetNetError(DataErrorKind kind, const std::string& message)
      : flowjet::DataError(message), kind_(kind) {}
  DataErrorKind kind() const { return kind_; }

 private:
  DataErrorKind kind_;
};

}  // namespace flowjet::data
