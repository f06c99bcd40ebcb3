// JetNet HDF5 writer (jet-samples.md §1.9): a whole JetSet through JetNetStreamWriter with a known total
// (chunked datasets with Fletcher-32 checksums, optionally deflated), written to a temporary file renamed at the end.
// Also reads the root string attributes back.
#include <fmt/format.h>

#include "data/data_error.h"
#include "data/jetnet_hdf5.h"
#include "data/jetnet_stream_writer.h"
#include "engine/io/hdf5_check.h"

namespace flowjet::data {

void write_jetnet(const std::string& path, const JetSet& jets, const WriteOptions& options) {
  JetNetStreamWriter writer(path, jets.particles, jets.type, options, jets.jets);
  writer.append(jets);
  writer.finish();
}

namespace {

struct AttributeCollector {
  std::map<std::string, std::string> values;
};

herr_t collect_attribute(hid_t location, const char* name, const H5A_info_t* /*info*/, void* data) {
  auto* collector = static_cast<AttributeCollector*>(data);
  H5Handle attribute(H5Aopen(location, name, H5P_DEFAULT));
  H5Handle type(H5Aget_type(attribute.get()));
  if (H5Tget_class(type.get()) != H5T_STRING) return 0;
  H5Handle space(H5Aget_space(attribute.get()));
  if (H5Sget_simple_extent_npoints(space.get()) != 1) return 0;
  if (H5Tis_variable_str(type.get()) > 0) {
    H5Handle memory(H5Tcopy(H5T_C_S1));
    H5Tset_size(memory.get(), H5T_VARIABLE);
    H5Tset_cset(memory.get(), H5Tget_cset(type.get()));
    char* text = nullptr;
    if (H5Aread(attribute.get(), memory.get(), &text) >= 0 && text != nullptr) {
      collector->values[name] = text;
      H5free_memory(text);
    }
  } else {
    const size_t size = H5Tget_size(type.get());
    std::string text(size, '\0');
    H5Handle memory(H5Tcopy(H5T_C_S1));
    H5Tset_size(memory.get(), size);
    if (H5Aread(attribute.get(), memory.get(), text.data()) >= 0) {
      text.resize(text.find('\0') == std::string::npos ? size : text.find('\0'));
      collector->values[name] = text;
    }
  }
  return 0;
}

}  // namespace

std::map<std::string, std::string> read_jetnet_attributes(const std::string& path) {
  inspect_jetnet(path);  // structure checks and their errors
  Hdf5ErrorSilencer silence;
  H5Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  if (!file.valid())
    throw JetNetError(DataErrorKind::Unreadable, fmt::format("cannot open '{}': {}", path, hdf5_error_message()));
  AttributeCollector collector;
  hsize_t index = 0;
  H5Aiterate2(file.get(), H5_INDEX_NAME, H5_ITER_INC, &index, collect_attribute, &collector);
  H5Eclear2(H5E_DEFAULT);
  return collector.values;
}

}  // namespace flowjet::data
