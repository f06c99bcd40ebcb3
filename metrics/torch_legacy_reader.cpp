// Legacy torch.save reader (metric-definitions.md §10): a pickle interpreter for the opcodes and
// globals listed in 10.2 only, building plain values (no code runs), then the raw storages.
#include "metrics/torch_legacy_reader.h"

#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>

#include <fmt/format.h>

#include "engine/core/error.h"

namespace flowjet::metrics {

int64_t StoredTensor::numel() const {
  int64_t n = 1;
  for (const int64_t d : shape) n *= d;
  return n;
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

namespace {

// Tensors of this many elements or more are refused (FPND's largest holds 65,536).
constexpr int64_t kMaxTensorElements = int64_t{1} << 32;

// Checks, with overflow-safe arithmetic, that a tensor of `shape`, `stride` and `offset` stays
// inside a storage of `count` elements; returns its number of elements.
int64_t checked_extent(const std::string& path, const std::string& name, const std::vector<int64_t>& shape,
                       const std::vector<int64_t>& stride, int64_t offset, int64_t count) {
  auto outside = [&] { return DataError(fmt::format("{}: tensor \"{}\" reaches outside its storage", path, name)); };
  if (shape.size() != stride.size() || offset < 0) throw outside();
  int64_t elements = 1, last = offset;  // last: the highest storage element reached
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] < 0 || stride[d] < 0)
      throw DataError(fmt::format("{}: tensor \"{}\" has a negative size or stride", path, name));
    if (shape[d] == 0) return 0;
    int64_t reach = 0;
    if (__builtin_mul_overflow(elements, shape[d], &elements) || elements >= kMaxTensorElements ||
        __builtin_mul_overflow(shape[d] - 1, stride[d], &reach) || __builtin_add_overflow(last, reach, &last))
      throw DataError(fmt::format("{}: tensor \"{}\" claims too many elements", path, name));
  }
  if (last >= count) throw outside();
  return elements;
}

// A value built by the pickle interpreter.
struct Value {
  enum class Kind { None, Bool, Int, BigInt, String, Tuple, List, Dict, Global, Storage, Tensor };
  Kind kind = Kind::None;
  int64_t number = 0;                         // Bool, Int
  std::string text;                           // String; BigInt bytes; Global "module name"
  std::vector<std::shared_ptr<Value>> items;  // Tuple, List; Dict as key, value, key, value...
  // Storage: key, dtype, element count.
  std::string storage_key;
  bool storage_is_long = false;
  int64_t storage_numel = 0;
  // Tensor: storage, offset, size, stride.
  std::shared_ptr<Value> storage;
  int64_t offset = 0;
  std::vector<int64_t> size, stride;
};
using ValuePtr = std::shared_ptr<Value>;

ValuePtr make(Value::Kind kind) {
  auto v = std::make_shared<Value>();
  v->kind = kind;
  return v;
}

class PickleReader {
 public:
  PickleReader(const std::string& path, const std::vector<unsigned char>& bytes, size_t& pos)
      : path_(path), bytes_(bytes), pos_(pos) {}

  ValuePtr run();  // one pickle, up to and including STOP

 private:
  [[noreturn]] void fail(size_t at, const std::string& what) const {
    throw DataError(fmt::format("{}: byte {}: {}", path_, at, what));
  }
  const unsigned char* take(size_t n) {
    if (pos_ + n > bytes_.size()) fail(pos_, fmt::format("file truncated (needs {} more bytes, file has {})", n, bytes_.size()));
    const unsigned char* p = bytes_.data() + pos_;
    pos_ += n;
    return p;
  }
  uint32_t read_u32() {
    uint32_t v;
    std::memcpy(&v, take(4), 4);
    return v;
  }
  std::string read_line() {
    const size_t start = pos_;
    while (true) {
      const unsigned char c = *take(1);
      if (c == '\n') break;
      if (pos_ - start > 256) fail(start, "GLOBAL name longer than 256 bytes");
    }
    return std::string(reinterpret_cast<const char*>(bytes_.data() + start), pos_ - start - 1);
  }
  ValuePtr pop(size_t at) {
    if (stack_.empty() || (!marks_.empty() && marks_.back() == stack_.size())) fail(at, "pickle stack underflow");
    ValuePtr v = stack_.back();
    stack_.pop_back();
    return v;
  }
  std::vector<ValuePtr> pop_to_mark(size_t at) {
    if (marks_.empty()) fail(at, "pickle opcode needs a MARK, none is open");
    std::vector<ValuePtr> out(stack_.begin() + static_cast<std::ptrdiff_t>(marks_.back()), stack_.end());
    stack_.resize(marks_.back());
    marks_.pop_back();
    return out;
  }
  ValuePtr reduce(const ValuePtr& callable, const ValuePtr& args, size_t at);
  ValuePtr persistent_load(const ValuePtr& pid, size_t at);

  const std::string& path_;
  const std::vector<unsigned char>& bytes_;
  size_t& pos_;
  std::vector<ValuePtr> stack_;
  std::vector<size_t> marks_;
  std::map<uint32_t, ValuePtr> memo_;
};

bool is_global(const ValuePtr& v, const char* name) { return v->kind == Value::Kind::Global && v->text == name; }

ValuePtr PickleReader::reduce(const ValuePtr& callable, const ValuePtr& args, size_t at) {
  if (args->kind != Value::Kind::Tuple) fail(at, "REDUCE arguments are not a tuple");
  if (is_global(callable, "collections OrderedDict")) {
    if (!args->items.empty()) fail(at, "OrderedDict() with arguments is not supported");
    return make(Value::Kind::Dict);
  }
  if (is_global(callable, "torch._utils _rebuild_tensor_v2")) {
    const auto& a = args->items;
    if (a.size() != 6 || a[0]->kind != Value::Kind::Storage || a[1]->kind != Value::Kind::Int ||
        a[2]->kind != Value::Kind::Tuple || a[3]->kind != Value::Kind::Tuple)
      fail(at, "_rebuild_tensor_v2 expects (storage, offset, size, stride, requires_grad, hooks)");
    auto t = make(Value::Kind::Tensor);
    t->storage = a[0];
    t->offset = a[1]->number;
    for (const auto& d : a[2]->items) {
      if (d->kind != Value::Kind::Int) fail(at, "tensor size entry is not an integer");
      t->size.push_back(d->number);
    }
    for (const auto& d : a[3]->items) {
      if (d->kind != Value::Kind::Int) fail(at, "tensor stride entry is not an integer");
      t->stride.push_back(d->number);
    }
    if (t->size.size() != t->stride.size()) fail(at, "tensor size and stride differ in length");
    return t;
  }
  fail(at, fmt::format("REDUCE of unsupported callable \"{}\"", callable->text));
}

ValuePtr PickleReader::persistent_load(const ValuePtr& pid, size_t at) {
  const auto& a = pid->items;
  if (pid->kind != Value::Kind::Tuple || a.size() != 6 || a[0]->kind != Value::Kind::String ||
      a[0]->text != "storage" || a[1]->kind != Value::Kind::Global || a[2]->kind != Value::Kind::String ||
      a[4]->kind != Value::Kind::Int || a[5]->kind != Value::Kind::None)
    fail(at, "persistent id is not (\"storage\", class, key, location, numel, None)");
  auto s = make(Value::Kind::Storage);
  if (a[1]->text == "torch FloatStorage") s->storage_is_long = false;
  else if (a[1]->text == "torch LongStorage") s->storage_is_long = true;
  else fail(at, fmt::format("unsupported storage class \"{}\"", a[1]->text));
  s->storage_key = a[2]->text;
  s->storage_numel = a[4]->number;
  return s;
}

ValuePtr PickleReader::run() {
  while (true) {
    const size_t at = pos_;
    const unsigned char op = *take(1);
    switch (op) {
      case 0x80: {  // PROTO
        const unsigned char proto = *take(1);
        if (proto != 2) fail(at, fmt::format("pickle protocol {}, expected 2", proto));
        break;
      }
      case 0x2E:  // STOP
        if (stack_.size() != 1 || !marks_.empty()) fail(at, "STOP with a malformed pickle stack");
        return stack_.back();
      case 0x8A: {  // LONG1
        const unsigned char n = *take(1);
        const unsigned char* p = take(n);
        if (n <= 8) {
          uint64_t v = 0;
          for (int k = n - 1; k >= 0; --k) v = (v << 8) | p[k];
          if (n > 0 && n < 8 && (p[n - 1] & 0x80)) v |= ~uint64_t{0} << (8 * n);  // sign-extend
          auto i = make(Value::Kind::Int);
          i->number = static_cast<int64_t>(v);
          stack_.push_back(i);
        } else {
          auto b = make(Value::Kind::BigInt);
          b->text.assign(reinterpret_cast<const char*>(p), n);
          stack_.push_back(b);
        }
        break;
      }
      case 0x4B: case 0x4D: case 0x4A: {  // BININT1, BININT2, BININT
        auto i = make(Value::Kind::Int);
        if (op == 0x4B) i->number = *take(1);
        else if (op == 0x4D) { const unsigned char* p = take(2); i->number = p[0] | (p[1] << 8); }
        else i->number = static_cast<int32_t>(read_u32());
        stack_.push_back(i);
        break;
      }
      case 0x4E: stack_.push_back(make(Value::Kind::None)); break;  // NONE
      case 0x88: case 0x89: {  // NEWTRUE, NEWFALSE
        auto b = make(Value::Kind::Bool);
        b->number = op == 0x88;
        stack_.push_back(b);
        break;
      }
      case 0x58: {  // BINUNICODE
        const uint32_t n = read_u32();
        auto s = make(Value::Kind::String);
        s->text.assign(reinterpret_cast<const char*>(take(n)), n);
        stack_.push_back(s);
        break;
      }
      case 0x29: stack_.push_back(make(Value::Kind::Tuple)); break;  // EMPTY_TUPLE
      case 0x74: {  // TUPLE
        auto t = make(Value::Kind::Tuple);
        t->items = pop_to_mark(at);
        stack_.push_back(t);
        break;
      }
      case 0x85: case 0x86: {  // TUPLE1, TUPLE2
        auto t = make(Value::Kind::Tuple);
        t->items.resize(op == 0x85 ? 1 : 2);
        for (auto it = t->items.rbegin(); it != t->items.rend(); ++it) *it = pop(at);
        stack_.push_back(t);
        break;
      }
      case 0x5D: stack_.push_back(make(Value::Kind::List)); break;  // EMPTY_LIST
      case 0x65: {  // APPENDS
        auto items = pop_to_mark(at);
        if (stack_.empty() || stack_.back()->kind != Value::Kind::List) fail(at, "APPENDS target is not a list");
        stack_.back()->items.insert(stack_.back()->items.end(), items.begin(), items.end());
        break;
      }
      case 0x7D: stack_.push_back(make(Value::Kind::Dict)); break;  // EMPTY_DICT
      case 0x73: case 0x75: {  // SETITEM, SETITEMS
        std::vector<ValuePtr> items;
        if (op == 0x73) {
          const ValuePtr value = pop(at), key = pop(at);
          items = {key, value};
        } else {
          items = pop_to_mark(at);
        }
        if (items.size() % 2 != 0) fail(at, "SETITEMS with an odd number of items");
        if (stack_.empty() || stack_.back()->kind != Value::Kind::Dict) fail(at, "SETITEM(S) target is not a dict");
        stack_.back()->items.insert(stack_.back()->items.end(), items.begin(), items.end());
        break;
      }
      case 0x28: marks_.push_back(stack_.size()); break;  // MARK
      case 0x63: {  // GLOBAL
        const std::string module = read_line(), name = read_line();
        const std::string full = module + " " + name;
        if (full != "collections OrderedDict" && full != "torch._utils _rebuild_tensor_v2" &&
            full != "torch FloatStorage" && full != "torch LongStorage")
          fail(at, fmt::format("GLOBAL {}.{} is not allowed (only OrderedDict, _rebuild_tensor_v2, "
                               "FloatStorage, LongStorage)", module, name));
        auto g = make(Value::Kind::Global);
        g->text = full;
        stack_.push_back(g);
        break;
      }
      case 0x52: {  // REDUCE
        const ValuePtr args = pop(at), callable = pop(at);
        stack_.push_back(reduce(callable, args, at));
        break;
      }
      case 0x62: {  // BUILD: the state (module metadata) is parsed and ignored
        pop(at);
        if (stack_.empty() || stack_.back()->kind != Value::Kind::Dict) fail(at, "BUILD target is not an OrderedDict");
        break;
      }
      case 0x51: {  // BINPERSID
        const ValuePtr pid = pop(at);
        stack_.push_back(persistent_load(pid, at));
        break;
      }
      case 0x71: case 0x72: {  // BINPUT, LONG_BINPUT
        const uint32_t index = op == 0x71 ? *take(1) : read_u32();
        if (stack_.empty()) fail(at, "memo put on an empty stack");
        memo_[index] = stack_.back();
        break;
      }
      case 0x68: case 0x6A: {  // BINGET, LONG_BINGET
        const uint32_t index = op == 0x68 ? *take(1) : read_u32();
        const auto it = memo_.find(index);
        if (it == memo_.end()) fail(at, fmt::format("memo get of unset index {}", index));
        stack_.push_back(it->second);
        break;
      }
      default:
        fail(at, fmt::format("unknown or unsupported pickle opcode 0x{:02x}", op));
    }
  }
}

// Looks up a string key in a Dict value.
ValuePtr dict_get(const ValuePtr& dict, const std::string& key) {
  for (size_t k = 0; k + 1 < dict->items.size(); k += 2)
    if (dict->items[k]->kind == Value::Kind::String && dict->items[k]->text == key) return dict->items[k + 1];
  return nullptr;
}

}  // namespace

TorchStateDict read_torch_legacy_state_dict(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError(fmt::format("{}: cannot open file", path));
  const std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.size() >= 2 && bytes[0] == 'P' && bytes[1] == 'K')
    throw DataError(fmt::format("{}: a zip archive (PyTorch >= 1.6 format); only the legacy format is supported", path));
  size_t pos = 0;

  const ValuePtr magic = PickleReader(path, bytes, pos).run();
  static const unsigned char kMagic[10] = {0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19};
  if (magic->kind != Value::Kind::BigInt || magic->text.size() != 10 || std::memcmp(magic->text.data(), kMagic, 10) != 0)
    throw DataError(fmt::format("{}: bad magic number: not a legacy torch.save file", path));
  const ValuePtr version = PickleReader(path, bytes, pos).run();
  if (version->kind != Value::Kind::Int || version->number != 1001)
    throw DataError(fmt::format("{}: serialisation protocol version {}, expected 1001", path,
                                version->kind == Value::Kind::Int ? version->number : -1));
  const size_t info_at = pos;
  const ValuePtr info = PickleReader(path, bytes, pos).run();
  const ValuePtr little = info->kind == Value::Kind::Dict ? dict_get(info, "little_endian") : nullptr;
  if (little == nullptr || little->kind != Value::Kind::Bool || little->number != 1)
    throw DataError(fmt::format("{}: byte {}: system info does not say little_endian = True", path, info_at));
  const size_t dict_at = pos;
  const ValuePtr state = PickleReader(path, bytes, pos).run();
  if (state->kind != Value::Kind::Dict) throw DataError(fmt::format("{}: byte {}: the state dict is not a dict", path, dict_at));
  const size_t keys_at = pos;
  const ValuePtr keys = PickleReader(path, bytes, pos).run();
  if (keys->kind != Value::Kind::List) throw DataError(fmt::format("{}: byte {}: the storage key list is not a list", path, keys_at));

  // Storages named by the tensors: key -> (is_long, numel).
  std::map<std::string, std::pair<bool, int64_t>> declared;
  for (size_t k = 0; k + 1 < state->items.size(); k += 2) {
    const ValuePtr& name = state->items[k];
    const ValuePtr& tensor = state->items[k + 1];
    if (name->kind != Value::Kind::String || tensor->kind != Value::Kind::Tensor)
      throw DataError(fmt::format("{}: state dict entry {} is not a (name, tensor) pair", path, k / 2));
    const auto& s = *tensor->storage;
    const auto [it, inserted] = declared.emplace(s.storage_key, std::make_pair(s.storage_is_long, s.storage_numel));
    if (!inserted && it->second != std::make_pair(s.storage_is_long, s.storage_numel))
      throw DataError(fmt::format("{}: storage {} is declared with two types or sizes", path, s.storage_key));
  }
  // Raw storage records, in key-list order: int64 count, then the elements.
  std::map<std::string, std::pair<size_t, int64_t>> data_at;  // key -> (byte offset of data, count)
  for (const auto& key : keys->items) {
    if (key->kind != Value::Kind::String) throw DataError(fmt::format("{}: storage key list holds a non-string", path));
    const auto it = declared.find(key->text);
    if (it == declared.end()) throw DataError(fmt::format("{}: storage {} is used by no tensor", path, key->text));
    if (pos + 8 > bytes.size())
      throw DataError(fmt::format("{}: byte {}: file truncated in the record of storage {}", path, pos, key->text));
    int64_t count = 0;
    std::memcpy(&count, bytes.data() + pos, 8);
    if (count != it->second.second)
      throw DataError(fmt::format("{}: byte {}: storage {} has {} elements, the state dict says {}", path, pos,
                                  key->text, count, it->second.second));
    const size_t element = it->second.first ? 8 : 4;
    // Compared as a count of elements, so that a huge claimed count cannot wrap the byte size.
    if (count < 0 || static_cast<uint64_t>(count) > (bytes.size() - pos - 8) / element)
      throw DataError(fmt::format("{}: byte {}: file truncated in the record of storage {} ({} elements)", path, pos,
                                  key->text, count));
    data_at[key->text] = {pos + 8, count};
    pos += 8 + static_cast<size_t>(count) * element;
  }
  if (pos != bytes.size())
    throw DataError(fmt::format("{}: {} unexpected bytes after the last storage record (at byte {})", path,
                                bytes.size() - pos, pos));

  TorchStateDict out;
  out.path = path;
  for (size_t k = 0; k + 1 < state->items.size(); k += 2) {
    const Value& tensor = *state->items[k + 1];
    const Value& storage = *tensor.storage;
    const auto found = data_at.find(storage.storage_key);
    if (found == data_at.end())
      throw DataError(fmt::format("{}: storage {} of tensor \"{}\" has no record", path, storage.storage_key,
                                  state->items[k]->text));
    StoredTensor t;
    t.name = state->items[k]->text;
    t.shape = tensor.size;
    t.dtype = storage.storage_is_long ? StoredDtype::Int64 : StoredDtype::Float32;
    const int64_t n = checked_extent(path, t.name, t.shape, tensor.stride, tensor.offset, found->second.second);
    // Element (i_0, i_1, ...) is storage element offset + sum_k i_k stride_k (inside the storage).
    std::vector<int64_t> index(t.shape.size(), 0);
    for (int64_t e = 0; e < n; ++e) {
      int64_t source = tensor.offset;
      for (size_t d = 0; d < index.size(); ++d) source += index[d] * tensor.stride[d];
      const unsigned char* p = bytes.data() + found->second.first;
      if (t.dtype == StoredDtype::Int64) {
        int64_t v;
        std::memcpy(&v, p + 8 * source, 8);
        t.i64.push_back(v);
      } else {
        float v;
        std::memcpy(&v, p + 4 * source, 4);
        t.f32.push_back(v);
      }
      for (size_t d = index.size(); d-- > 0;) {
        if (++index[d] < t.shape[d]) break;
        index[d] = 0;
      }
    }
    out.tensors.push_back(std::move(t));
  }
  return out;
}

}  // namespace flowjet::metrics
