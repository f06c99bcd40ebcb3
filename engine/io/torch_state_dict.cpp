// What the legacy and zip readers share: finding the state dict and copying strided tensors out of
// their storages with every index checked.
#include "engine/io/torch_state_dict.h"

#include <cstring>
#include <fstream>

#include <fmt/format.h>

#include "engine/core/error.h"
#include "engine/io/torch_legacy.h"
#include "engine/io/torch_zip.h"

namespace flowjet {

int64_t StoredTensor::numel() const {
  int64_t n = 1;
  for (const int64_t d : shape) n *= d;
  return n;
}

std::vector<double> StoredTensor::to_doubles() const {
  switch (dtype) {
    case StoredDtype::Float32: return std::vector<double>(f32.begin(), f32.end());
    case StoredDtype::Float64: return f64;
    case StoredDtype::Int64: break;
  }
  return std::vector<double>(i64.begin(), i64.end());
}

bool TorchStateDict::contains(const std::string& name) const {
  for (const auto& t : tensors)
    if (t.name == name) return true;
  return false;
}

const StoredTensor& TorchStateDict::at(const std::string& name) const {
  for (const auto& t : tensors)
    if (t.name == name) return t;
  throw DataError(fmt::format("{}: no tensor named \"{}\"", path, name));
}

TorchStateDict read_torch_state_dict(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError(fmt::format("{}: cannot open file", path));
  char head[2] = {0, 0};
  in.read(head, 2);
  return head[0] == 'P' && head[1] == 'K' ? read_torch_zip_state_dict(path) : read_torch_legacy_state_dict(path);
}

namespace {

bool is_tensor_dict(const PickleValue& v) {
  if (v.kind != PickleValue::Kind::Dict) return false;
  for (std::size_t k = 1; k < v.items.size(); k += 2)
    if (v.items[k]->kind != PickleValue::Kind::Tensor) return false;
  return true;
}

// Tensors of this many elements or more are refused (the largest known user holds 65,536).
constexpr int64_t kMaxTensorElements = int64_t{1} << 32;

}  // namespace

const PickleValue& find_state_dict(const std::string& where, const PickleValue& root, std::string& container_key) {
  const PickleValue* state = nullptr;
  container_key.clear();
  if (is_tensor_dict(root)) {
    state = &root;
  } else if (root.kind == PickleValue::Kind::Dict) {
    const PickleValuePtr inner = pickle_dict_get(root, "state_dict");
    if (inner == nullptr || !is_tensor_dict(*inner))
      throw DataError(fmt::format("{}: neither a state dict (a dict of tensors) nor a checkpoint with a "
                                  "\"state_dict\" entry that is one", where));
    state = inner.get();
    container_key = "state_dict";
  } else {
    throw DataError(fmt::format("{}: the pickled object is not a dict (a state dict or a checkpoint)", where));
  }
  for (std::size_t k = 0; k + 1 < state->items.size(); k += 2)
    if (state->items[k]->kind != PickleValue::Kind::String)
      throw DataError(fmt::format("{}: state dict entry {} has a key that is not a string", where, k / 2));
  return *state;
}

StoredTensor copy_stored_tensor(const std::string& where, const std::string& name, const PickleValue& tensor,
                                const unsigned char* data) {
  const PickleValue& storage = *tensor.storage;
  auto outside = [&] { return DataError(fmt::format("{}: tensor \"{}\" reaches outside its storage", where, name)); };
  if (tensor.size.size() != tensor.stride.size() || tensor.offset < 0) throw outside();
  // elements: the product of the sizes; last: the highest storage element reached.
  int64_t elements = 1, last = tensor.offset;
  for (std::size_t d = 0; d < tensor.size.size(); ++d) {
    if (tensor.size[d] < 0 || tensor.stride[d] < 0)
      throw DataError(fmt::format("{}: tensor \"{}\" has a negative size or stride", where, name));
    if (tensor.size[d] == 0) {
      elements = 0;
      break;
    }
    int64_t reach = 0;
    if (__builtin_mul_overflow(elements, tensor.size[d], &elements) || elements >= kMaxTensorElements ||
        __builtin_mul_overflow(tensor.size[d] - 1, tensor.stride[d], &reach) || __builtin_add_overflow(last, reach, &last))
      throw DataError(fmt::format("{}: tensor \"{}\" claims too many elements", where, name));
  }
  if (elements > 0 && last >= storage.storage_numel) throw outside();

  StoredTensor t;
  t.name = name;
  t.shape = tensor.size;
  t.dtype = storage.storage_dtype;
  const std::size_t width = static_cast<std::size_t>(stored_dtype_size(t.dtype));
  // Element (i_0, i_1, ...) is storage element offset + sum_k i_k stride_k (inside the storage, above).
  std::vector<int64_t> index(t.shape.size(), 0);
  for (int64_t e = 0; e < elements; ++e) {
    int64_t source = tensor.offset;
    for (std::size_t d = 0; d < index.size(); ++d) source += index[d] * tensor.stride[d];
    const unsigned char* p = data + width * static_cast<std::size_t>(source);
    switch (t.dtype) {
      case StoredDtype::Float32: { float v; std::memcpy(&v, p, 4); t.f32.push_back(v); break; }
      case StoredDtype::Float64: { double v; std::memcpy(&v, p, 8); t.f64.push_back(v); break; }
      case StoredDtype::Int64: { int64_t v; std::memcpy(&v, p, 8); t.i64.push_back(v); break; }
    }
    for (std::size_t d = index.size(); d-- > 0;) {
      if (++index[d] < t.shape[d]) break;
      index[d] = 0;
    }
  }
  return t;
}

}  // namespace flowjet
