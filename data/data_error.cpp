// Names of the data error kinds.
#include "data/data_error.h"

namespace flowjet::data {

const char* to_string(DataErrorKind kind) {
  switch (kind) {
    case DataErrorKind::NotFound: return "NotFound";
    case DataErrorKind::Unreadable: return "Unreadable";
    case DataErrorKind::NotHdf5: return "NotHdf5";
    case DataErrorKind::CorruptFile: return "CorruptFile";
    case DataErrorKind::MissingDataset: return "MissingDataset";
    case DataErrorKind::BadShape: return "BadShape";
    case DataErrorKind::BadType: return "BadType";
    case DataErrorKind::UnsupportedFilter: return "UnsupportedFilter";
    case DataErrorKind::NonFinite: return "NonFinite";
    case DataErrorKind::BadMask: return "BadMask";
    case DataErrorKind::BadPadding: return "BadPadding";
    case DataErrorKind::BadOrdering: return "BadOrdering";
    case DataErrorKind::OutOfRange: return "OutOfRange";
    case DataErrorKind::Inconsistent: return "Inconsistent";
    case DataErrorKind::BadRequest: return "BadRequest";
    case DataErrorKind::WriteFailed: return "WriteFailed";
  }
  return "Unknown";
}

}  // namespace flowjet::data
