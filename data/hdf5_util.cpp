// HDF5 handle closing and error-stack text.
#include "data/hdf5_util.h"

#include <vector>

namespace flowjet::data {

void silence_hdf5_errors() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

namespace {

herr_t collect_error(unsigned /*depth*/, const H5E_error2_t* entry, void* data) {
  auto* parts = static_cast<std::vector<std::string>*>(data);
  char major[256] = {0};
  char minor[256] = {0};
  H5Eget_msg(entry->maj_num, nullptr, major, sizeof(major));
  H5Eget_msg(entry->min_num, nullptr, minor, sizeof(minor));
  std::string text = std::string(major) + ": " + minor;
  if (entry->desc != nullptr && entry->desc[0] != '\0') text += " (" + std::string(entry->desc) + ")";
  parts->push_back(text);
  return 0;
}

}  // namespace

std::string hdf5_error_text() {
  std::vector<std::string> parts;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, collect_error, &parts);
  H5Eclear2(H5E_DEFAULT);
  std::string joined;
  for (size_t i = 0; i < parts.size() && i < 3; ++i) {
    if (!joined.empty()) joined += "; ";
    joined += parts[i];
  }
  return joined;
}

void H5Handle::reset() {
  if (id_ < 0) return;
  switch (H5Iget_type(id_)) {
    case H5I_FILE: H5Fclose(id_); break;
    case H5I_GROUP: H5Gclose(id_); break;
    case H5I_DATASET: H5Dclose(id_); break;
    case H5I_DATASPACE: H5Sclose(id_); break;
    case H5I_DATATYPE: H5Tclose(id_); break;
    case H5I_ATTR: H5Aclose(id_); break;
    case H5I_GENPROP_LST: H5Pclose(id_); break;
    default: break;
  }
  id_ = -1;
}

}  // namespace flowjet::data
