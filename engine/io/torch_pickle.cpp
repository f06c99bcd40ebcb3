// The pickle subset of torch_pickle.h: each opcode below builds a plain value on a stack; GLOBAL and
// REDUCE only ever name the whitelisted constructors, which are interpreted here, never looked up.
#include "engine/io/torch_pickle.h"

#include <algorithm>
#include <cstring>
#include <map>

#include <fmt/format.h>

#include "engine/core/error.h"

namespace flowjet {

const char* stored_dtype_name(StoredDtype dtype) {
  switch (dtype) {
    case StoredDtype::Float32: return "float32";
    case StoredDtype::Float64: return "float64";
    case StoredDtype::Int64: return "int64";
  }
  return "?";
}

int64_t stored_dtype_size(StoredDtype dtype) { return dtype == StoredDtype::Float32 ? 4 : 8; }

PickleValuePtr pickle_dict_get(const PickleValue& dict, const std::string& key) {
  for (std::size_t k = 0; k + 1 < dict.items.size(); k += 2)
    if (dict.items[k]->kind == PickleValue::Kind::String && dict.items[k]->text == key) return dict.items[k + 1];
  return nullptr;
}

namespace {

using Kind = PickleValue::Kind;

PickleValuePtr make(Kind kind) {
  auto v = std::make_shared<PickleValue>();
  v->kind = kind;
  return v;
}

// More values or MARKs on the stack than this, or values nested deeper than kMaxDepth, are refused.
constexpr std::size_t kMaxStack = 1u << 20;
constexpr int kMaxDepth = 1000;

class Interpreter {
 public:
  Interpreter(const std::string& where, const std::vector<unsigned char>& bytes, std::size_t& pos,
              std::vector<PickleValuePtr>* storages)
      : where_(where), bytes_(bytes), pos_(pos), storages_(storages) {}

  PickleValuePtr run();

 private:
  [[noreturn]] void fail(std::size_t at, const std::string& what) const {
    throw DataError(fmt::format("{}: byte {}: {}", where_, at, what));
  }
  const unsigned char* take(std::size_t n) {
    if (n > bytes_.size() - pos_)
      fail(pos_, fmt::format("file truncated (needs {} more bytes, {} are left)", n, bytes_.size() - pos_));
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
    const std::size_t start = pos_;
    while (*take(1) != '\n')
      if (pos_ - start > 256) fail(start, "GLOBAL name longer than 256 bytes");
    return std::string(reinterpret_cast<const char*>(bytes_.data() + start), pos_ - start - 1);
  }
  void push(PickleValuePtr v, std::size_t at) {
    if (stack_.size() >= kMaxStack) fail(at, "pickle stack deeper than 2^20 values");
    stack_.push_back(std::move(v));
  }
  PickleValuePtr pop(std::size_t at) {
    if (stack_.empty() || (!marks_.empty() && marks_.back() == stack_.size())) fail(at, "pickle stack underflow");
    PickleValuePtr v = stack_.back();
    stack_.pop_back();
    return v;
  }
  std::vector<PickleValuePtr> pop_to_mark(std::size_t at) {
    if (marks_.empty()) fail(at, "pickle opcode needs a MARK, none is open");
    std::vector<PickleValuePtr> out(stack_.begin() + static_cast<std::ptrdiff_t>(marks_.back()), stack_.end());
    stack_.resize(marks_.back());
    marks_.pop_back();
    return out;
  }
  // The container on top of the stack, to be modified: of `kind` and not yet inside another value.
  PickleValue& top(std::size_t at, Kind kind, const char* what) {
    if (stack_.empty() || stack_.back()->kind != kind) fail(at, fmt::format("{} target is not the right kind of value", what));
    if (stack_.back()->contained) fail(at, fmt::format("{} modifies a value already stored in another (a recursive structure)", what));
    return *stack_.back();
  }
  // Marks `items` as stored in `parent` (refusing the parent itself: a value cannot contain itself).
  void adopt(const std::vector<PickleValuePtr>& items, PickleValue& parent, std::size_t at) {
    for (const auto& item : items) {
      if (item.get() == &parent) fail(at, "a value stored inside itself (a recursive structure)");
      item->contained = true;
      parent.depth = std::max(parent.depth, item->depth + 1);
      if (parent.depth > kMaxDepth) fail(at, fmt::format("values nested more than {} levels deep", kMaxDepth));
    }
  }
  void push_tuple(std::size_t count, std::size_t at) {
    auto t = make(Kind::Tuple);
    t->items.resize(count);
    for (auto it = t->items.rbegin(); it != t->items.rend(); ++it) *it = pop(at);
    adopt(t->items, *t, at);
    push(t, at);
  }
  PickleValuePtr reduce(const PickleValuePtr& callable, const PickleValuePtr& args, std::size_t at);
  PickleValuePtr persistent_load(const PickleValuePtr& pid, std::size_t at);

  const std::string& where_;
  const std::vector<unsigned char>& bytes_;
  std::size_t& pos_;
  std::vector<PickleValuePtr>* storages_;
  std::vector<PickleValuePtr> stack_;
  std::vector<std::size_t> marks_;
  std::map<uint32_t, PickleValuePtr> memo_;
};

bool is_global(const PickleValuePtr& v, const char* name) { return v->kind == Kind::Global && v->text == name; }

// PyTorch Lightning's AttributeDict (a dict subclass holding a .ckpt's hyper-parameters), under the
// module paths of its releases; NEWOBJ of it builds an empty dict.
bool is_attribute_dict(const std::string& global) {
  return global == "pytorch_lightning.utilities.parsing AttributeDict" ||
         global == "lightning_fabric.utilities.data AttributeDict" || global == "lightning.fabric.utilities.data AttributeDict";
}

PickleValuePtr Interpreter::reduce(const PickleValuePtr& callable, const PickleValuePtr& args, std::size_t at) {
  if (args->kind != Kind::Tuple) fail(at, "REDUCE arguments are not a tuple");
  if (is_global(callable, "collections OrderedDict")) {
    if (!args->items.empty()) fail(at, "OrderedDict() with arguments is not supported");
    return make(Kind::Dict);
  }
  if (is_global(callable, "torch._utils _rebuild_tensor_v2")) {
    const auto& a = args->items;
    if (a.size() != 6 || a[0]->kind != Kind::Storage || a[1]->kind != Kind::Int || a[2]->kind != Kind::Tuple ||
        a[3]->kind != Kind::Tuple)
      fail(at, "_rebuild_tensor_v2 expects (storage, offset, size, stride, requires_grad, hooks)");
    auto t = make(Kind::Tensor);
    t->storage = a[0];
    t->offset = a[1]->number;
    for (const auto& d : a[2]->items) {
      if (d->kind != Kind::Int) fail(at, "tensor size entry is not an integer");
      t->size.push_back(d->number);
    }
    for (const auto& d : a[3]->items) {
      if (d->kind != Kind::Int) fail(at, "tensor stride entry is not an integer");
      t->stride.push_back(d->number);
    }
    if (t->size.size() != t->stride.size()) fail(at, "tensor size and stride differ in length");
    return t;
  }
  fail(at, fmt::format("REDUCE of unsupported callable \"{}\"", callable->kind == Kind::Global ? callable->text : "(not a global)"));
}

// torch.save's persistent id of a storage: ("storage", class, key, location, numel), with a sixth
// entry (view metadata, None) in the legacy format.
PickleValuePtr Interpreter::persistent_load(const PickleValuePtr& pid, std::size_t at) {
  const auto& a = pid->items;
  if (pid->kind != Kind::Tuple || (a.size() != 5 && a.size() != 6) || a[0]->kind != Kind::String ||
      a[0]->text != "storage" || a[1]->kind != Kind::Global || a[2]->kind != Kind::String ||
      a[4]->kind != Kind::Int || (a.size() == 6 && a[5]->kind != Kind::None))
    fail(at, "persistent id is not (\"storage\", class, key, location, numel[, None])");
  auto s = make(Kind::Storage);
  if (a[1]->text == "torch FloatStorage") s->storage_dtype = StoredDtype::Float32;
  else if (a[1]->text == "torch DoubleStorage") s->storage_dtype = StoredDtype::Float64;
  else if (a[1]->text == "torch LongStorage") s->storage_dtype = StoredDtype::Int64;
  else fail(at, fmt::format("unsupported storage class \"{}\"", a[1]->text));
  s->storage_key = a[2]->text;
  s->storage_numel = a[4]->number;
  if (s->storage_numel < 0) fail(at, fmt::format("storage {} has a negative size", s->storage_key));
  if (storages_ != nullptr) storages_->push_back(s);
  return s;
}

PickleValuePtr Interpreter::run() {
  while (true) {
    const std::size_t at = pos_;
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
          auto i = make(Kind::Int);
          i->number = static_cast<int64_t>(v);
          push(i, at);
        } else {
          auto b = make(Kind::BigInt);
          b->text.assign(reinterpret_cast<const char*>(p), n);
          push(b, at);
        }
        break;
      }
      case 0x4B: case 0x4D: case 0x4A: {  // BININT1, BININT2, BININT
        auto i = make(Kind::Int);
        if (op == 0x4B) i->number = *take(1);
        else if (op == 0x4D) { const unsigned char* p = take(2); i->number = p[0] | (p[1] << 8); }
        else i->number = static_cast<int32_t>(read_u32());
        push(i, at);
        break;
      }
      case 0x47: {  // BINFLOAT: a big-endian IEEE double
        const unsigned char* p = take(8);
        uint64_t bits = 0;
        for (int k = 0; k < 8; ++k) bits = (bits << 8) | p[k];
        auto f = make(Kind::Float);
        std::memcpy(&f->real, &bits, 8);
        push(f, at);
        break;
      }
      case 0x4E: push(make(Kind::None), at); break;  // NONE
      case 0x88: case 0x89: {  // NEWTRUE, NEWFALSE
        auto b = make(Kind::Bool);
        b->number = op == 0x88;
        push(b, at);
        break;
      }
      case 0x58: case 0x8C: {  // BINUNICODE, SHORT_BINUNICODE
        const uint32_t n = op == 0x58 ? read_u32() : *take(1);
        auto s = make(Kind::String);
        s->text.assign(reinterpret_cast<const char*>(take(n)), n);
        push(s, at);
        break;
      }
      case 0x29: push(make(Kind::Tuple), at); break;  // EMPTY_TUPLE
      case 0x74: {  // TUPLE
        auto t = make(Kind::Tuple);
        t->items = pop_to_mark(at);
        adopt(t->items, *t, at);
        push(t, at);
        break;
      }
      case 0x85: push_tuple(1, at); break;  // TUPLE1
      case 0x86: push_tuple(2, at); break;  // TUPLE2
      case 0x87: push_tuple(3, at); break;  // TUPLE3
      case 0x5D: push(make(Kind::List), at); break;  // EMPTY_LIST
      case 0x61: {  // APPEND
        const PickleValuePtr item = pop(at);
        PickleValue& list = top(at, Kind::List, "APPEND");
        adopt({item}, list, at);
        list.items.push_back(item);
        break;
      }
      case 0x65: {  // APPENDS
        auto items = pop_to_mark(at);
        PickleValue& list = top(at, Kind::List, "APPENDS");
        adopt(items, list, at);
        list.items.insert(list.items.end(), items.begin(), items.end());
        break;
      }
      case 0x7D: push(make(Kind::Dict), at); break;  // EMPTY_DICT
      case 0x73: case 0x75: {  // SETITEM, SETITEMS
        std::vector<PickleValuePtr> items;
        if (op == 0x73) {
          const PickleValuePtr value = pop(at), key = pop(at);
          items = {key, value};
        } else {
          items = pop_to_mark(at);
        }
        if (items.size() % 2 != 0) fail(at, "SETITEMS with an odd number of items");
        PickleValue& dict = top(at, Kind::Dict, "SETITEM(S)");
        adopt(items, dict, at);
        dict.items.insert(dict.items.end(), items.begin(), items.end());
        break;
      }
      case 0x28:  // MARK
        if (marks_.size() >= kMaxStack) fail(at, "more than 2^20 open MARKs");
        marks_.push_back(stack_.size());
        break;
      case 0x63: {  // GLOBAL
        const std::string module = read_line(), name = read_line();
        const std::string full = module + " " + name;
        if (full != "collections OrderedDict" && full != "torch._utils _rebuild_tensor_v2" &&
            full != "torch FloatStorage" && full != "torch DoubleStorage" && full != "torch LongStorage" &&
            !is_attribute_dict(full))
          fail(at, fmt::format("GLOBAL {}.{} is not allowed (only OrderedDict, _rebuild_tensor_v2, "
                               "FloatStorage, DoubleStorage, LongStorage, Lightning's AttributeDict)", module, name));
        auto g = make(Kind::Global);
        g->text = full;
        push(g, at);
        break;
      }
      case 0x52: {  // REDUCE
        const PickleValuePtr args = pop(at), callable = pop(at);
        push(reduce(callable, args, at), at);
        break;
      }
      case 0x81: {  // NEWOBJ: cls.__new__(cls, *args), only an empty AttributeDict
        const PickleValuePtr args = pop(at), cls = pop(at);
        if (cls->kind != Kind::Global || !is_attribute_dict(cls->text) || args->kind != Kind::Tuple || !args->items.empty())
          fail(at, fmt::format("NEWOBJ of unsupported class \"{}\"", cls->kind == Kind::Global ? cls->text : "(not a global)"));
        push(make(Kind::Dict), at);
        break;
      }
      case 0x62: {  // BUILD: the state (a state dict's _metadata) is parsed and ignored
        pop(at);
        top(at, Kind::Dict, "BUILD");
        break;
      }
      case 0x51: {  // BINPERSID
        const PickleValuePtr pid = pop(at);
        push(persistent_load(pid, at), at);
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
        push(it->second, at);
        break;
      }
      default:
        fail(at, fmt::format("unknown or unsupported pickle opcode 0x{:02x}", op));
    }
  }
}

}  // namespace

PickleValuePtr unpickle(const std::string& where, const std::vector<unsigned char>& bytes, std::size_t& pos,
                        std::vector<PickleValuePtr>* storages) {
  return Interpreter(where, bytes, pos, storages).run();
}

}  // namespace flowjet
