// HDF5 status checks, error-stack messages and owned handles (see hdf5_check.h).
#include "engine/io/hdf5_check.h"

#include <fmt/format.h>

#include "engine/core/error.h"

namespace flowjet {

Hdf5ErrorSilencer::Hdf5ErrorSilencer() {
  H5Eget_auto2(H5E_DEFAULT, &previous_func_, &previous_data_);
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

Hdf5ErrorSilencer::~Hdf5ErrorSilencer() { H5Eset_auto2(H5E_DEFAULT, previous_func_, previous_data_); }

namespace {
// H5Ewalk2 callback: appends each frame's description, outermost first.
herr_t collect_error(unsigned /*n*/, const H5E_error2_t* err, void* out) {
  auto* messages = static_cast<std::string*>(out);
  if (err->desc && err->desc[0] != '\0') {
    if (!messages->empty()) *messages += " <- ";
    *messages += err->desc;
  }
  return 0;
}
}  // namespace

std::string hdf5_error_message() {
  std::string messages;
  if (H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, collect_error, &messages) < 0) return "unknown HDF5 error";
  return messages.empty() ? "unknown HDF5 error" : messages;
}

void h5_check(herr_t status, const std::string& context) {
  if (status < 0) throw CheckpointError(fmt::format("{}: {}", context, hdf5_error_message()));
}

H5Handle::H5Handle(hid_t id, const std::string& context) : id_(id) {
  if (id < 0) throw CheckpointError(fmt::format("{}: {}", context, hdf5_error_message()));
}

H5Handle& H5Handle::operator=(H5Handle&& other) noexcept {
  if (this != &other) {
    reset();
    id_ = other.id_;
    other.id_ = H5I_INVALID_HID;
  }
  return *this;
}

namespace {
herr_t close_id(hid_t id) {
  switch (H5Iget_type(id)) {
    case H5I_FILE: return H5Fclose(id);
    case H5I_GROUP: return H5Gclose(id);
    case H5I_DATASET: return H5Dclose(id);
    case H5I_DATASPACE: return H5Sclose(id);
    case H5I_DATATYPE: return H5Tclose(id);
    case H5I_ATTR: return H5Aclose(id);
    case H5I_GENPROP_LST: return H5Pclose(id);
    default: return H5Idec_ref(id);
  }
}
}  // namespace

void H5Handle::close(const std::string& context) {
  hid_t id = id_;
  id_ = H5I_INVALID_HID;
  if (id >= 0) h5_check(close_id(id), context);
}

void H5Handle::reset() noexcept {
  if (id_ >= 0) close_id(id_);
  id_ = H5I_INVALID_HID;
}

}  // namespace flowjet
