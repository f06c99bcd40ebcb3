// HDF5 status checks, error-stack messages, owned handles and extent checks (see hdf5_check.h).
#include "engine/io/hdf5_check.h"

#include <filesystem>

#include <fmt/format.h>

#include "engine/core/error.h"

namespace flowjet {

namespace {

// Runs before main (HDF5 is not initialised yet then); see the header for why.
const bool kNoExitCleanup = (H5dont_atexit(), true);

}  // namespace

Hdf5ErrorSilencer::Hdf5ErrorSilencer() {
  (void)kNoExitCleanup;
  H5Eget_auto2(H5E_DEFAULT, &previous_func_, &previous_data_);
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

Hdf5ErrorSilencer::~Hdf5ErrorSilencer() { H5Eset_auto2(H5E_DEFAULT, previous_func_, previous_data_); }

namespace {

// One frame's description on one line. The I/O layer's descriptions span lines and carry a
// time stamp, buffer addresses and "error message = '<strerror>'": keep the action and the reason.
std::string frame_text(const std::string& desc) {
  std::string text = desc.substr(0, desc.find('\n'));
  for (const char* noise : {": time =", ", errno ="}) text = text.substr(0, text.find(noise));
  const std::string reason_key = "error message = '";
  const std::size_t reason = desc.find(reason_key);
  if (reason != std::string::npos) {
    const std::size_t begin = reason + reason_key.size();
    text += ": " + desc.substr(begin, desc.find('\'', begin) - begin);
  }
  return text;
}

// H5Ewalk2 callback: appends each frame's description, innermost first, skipping repeats.
herr_t collect_error(unsigned /*n*/, const H5E_error2_t* err, void* out) {
  auto* frames = static_cast<std::vector<std::string>*>(out);
  if (err->desc && err->desc[0] != '\0') {
    std::string text = frame_text(err->desc);
    if (frames->empty() || frames->back() != text) frames->push_back(std::move(text));
  }
  return 0;
}

}  // namespace

std::string hdf5_error_message() {
  std::vector<std::string> frames;
  const herr_t walked = H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, collect_error, &frames);
  H5Eclear2(H5E_DEFAULT);
  if (walked < 0 || frames.empty()) return "unknown HDF5 error";
  std::string message;
  for (const std::string& frame : frames) {
    if (frame.find("Fletcher32") != std::string::npos)
      return "checksum mismatch (Fletcher-32: the stored data differ from what was written, the file is damaged)";
  }
  constexpr std::size_t kMaxFrames = 2;  // the innermost causes say what went wrong
  for (std::size_t i = 0; i < frames.size() && i < kMaxFrames; ++i) {
    if (!message.empty()) message += " <- ";
    message += frames[i];
  }
  return message;
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

herr_t H5Handle::close() noexcept {
  const hid_t id = id_;
  id_ = H5I_INVALID_HID;
  if (id < 0) return 0;
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

void H5Handle::close(const std::string& context) { h5_check(close(), context); }

std::string human_bytes(double bytes) {
  if (bytes < 1e3) return fmt::format("{:.0f} B", bytes);
  if (bytes < 1e6) return fmt::format("{:.3g} kB", bytes / 1e3);
  if (bytes < 1e9) return fmt::format("{:.3g} MB", bytes / 1e6);
  return fmt::format("{:.3g} GB", bytes / 1e9);
}

namespace {

// True when a filter other than Fletcher-32 (a checksum, which does not shrink data) is on.
bool compressed(hid_t dataset) {
  H5Handle plist(H5Dget_create_plist(dataset));
  if (!plist.valid()) return false;
  const int filters = H5Pget_nfilters(plist.get());
  for (int i = 0; i < filters; ++i) {
    unsigned flags = 0;
    std::size_t elements = 0;
    const H5Z_filter_t id =
        H5Pget_filter2(plist.get(), static_cast<unsigned>(i), &flags, &elements, nullptr, 0, nullptr, nullptr);
    if (id != H5Z_FILTER_FLETCHER32) return true;
  }
  return false;
}

}  // namespace

std::string implausible_extent(hid_t dataset, const std::vector<hsize_t>& dims, const std::string& path,
                               const std::string& name) {
  H5Handle type(H5Dget_type(dataset));
  const std::size_t element_size = type.valid() ? H5Tget_size(type.get()) : 1;
  std::error_code error;
  const auto file_size = std::filesystem::file_size(path, error);
  // A compression filter may shrink data a lot (all-zero padding slots); no real file does 1000x.
  constexpr unsigned long long kCompressionAllowance = 1000;
  const unsigned long long limit =
      error ? ~0ULL : static_cast<unsigned long long>(file_size) * (compressed(dataset) ? kCompressionAllowance : 1);
  unsigned long long bytes = element_size;
  bool overflow = false;
  for (hsize_t d : dims) overflow = overflow || __builtin_mul_overflow(bytes, static_cast<unsigned long long>(d), &bytes);
  if (!overflow && bytes <= limit) return "";
  return fmt::format("{}: dataset {} claims {} values, more than a {} file can hold", path, name, fmt::join(dims, " x "),
                     human_bytes(error ? 0.0 : static_cast<double>(file_size)));
}

}  // namespace flowjet
