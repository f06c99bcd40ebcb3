// Checkpoint lookups, the compatibility check and copy of loaded tensors into a model's
// tensors, name prefixes, and the Generator state stored as attributes.
#include "engine/io/checkpoint.h"

#include <cerrno>
#include <cstdlib>

#include <fmt/format.h>

#include "engine/core/error.h"

namespace flowjet {

namespace {

const AttributeValue& attribute(const Checkpoint& c, const std::string& key) {
  auto it = c.attributes.find(key);
  if (it == c.attributes.end()) throw CheckpointError(fmt::format("{}: attribute \"{}\" is missing", c.path, key));
  return it->second;
}

[[noreturn]] void wrong_type(const Checkpoint& c, const std::string& key, const char* expected) {
  throw CheckpointError(fmt::format("{}: attribute \"{}\" is not {}", c.path, key, expected));
}

uint64_t parse_uint64(const Checkpoint& c, const std::string& key) {
  const std::string& text = c.string_attribute(key);
  char* end = nullptr;
  errno = 0;
  const unsigned long long value = std::strtoull(text.c_str(), &end, 10);
  if (text.empty() || text[0] == '-' || errno != 0 || *end != '\0')
    throw CheckpointError(fmt::format("{}: attribute \"{}\" = \"{}\" is not an unsigned 64-bit integer", c.path, key,
                                      text));
  return static_cast<uint64_t>(value);
}

std::string describe_dtype_shape(const Tensor& t) { return fmt::format("{}{}", dtype_name(t.dtype()), t.shape().str()); }

}  // namespace

const Tensor* Checkpoint::find(const std::string& name) const {
  for (const NamedTensor& t : tensors)
    if (t.name == name) return &t.tensor;
  return nullptr;
}

const Tensor& Checkpoint::tensor(const std::string& name) const {
  if (const Tensor* t = find(name)) return *t;
  throw CheckpointError(fmt::format("{}: tensor \"{}\" is missing", path, name));
}

NamedTensors Checkpoint::tensors_under(const std::string& prefix) const {
  NamedTensors out;
  for (const NamedTensor& t : tensors)
    if (t.name.compare(0, prefix.size(), prefix) == 0) out.push_back({t.name.substr(prefix.size()), t.tensor});
  return out;
}

const std::string& Checkpoint::string_attribute(const std::string& key) const {
  const auto* value = std::get_if<std::string>(&attribute(*this, key));
  if (!value) wrong_type(*this, key, "a string");
  return *value;
}

int64_t Checkpoint::int_attribute(const std::string& key) const {
  const auto* value = std::get_if<int64_t>(&attribute(*this, key));
  if (!value) wrong_type(*this, key, "an integer");
  return *value;
}

double Checkpoint::double_attribute(const std::string& key) const {
  const AttributeValue& value = attribute(*this, key);
  if (const auto* d = std::get_if<double>(&value)) return *d;
  if (const auto* i = std::get_if<int64_t>(&value)) return static_cast<double>(*i);
  wrong_type(*this, key, "a number");
}

const std::vector<double>& Checkpoint::doubles_attribute(const std::string& key) const {
  const auto* value = std::get_if<std::vector<double>>(&attribute(*this, key));
  if (!value) wrong_type(*this, key, "an array of doubles");
  return *value;
}

void check_compatible(const Checkpoint& checkpoint, const NamedTensors& expected, const std::string& prefix) {
  std::vector<std::string> problems;
  for (const NamedTensor& e : expected) {
    const std::string name = prefix + e.name;
    if (!e.tensor.defined()) {
      problems.push_back(fmt::format("tensor \"{}\": the destination tensor is undefined", name));
      continue;
    }
    const Tensor* found = checkpoint.find(name);
    if (!found)
      problems.push_back(fmt::format("tensor \"{}\" is missing (expected {})", name, describe_dtype_shape(e.tensor)));
    else if (found->shape() != e.tensor.shape() || found->dtype() != e.tensor.dtype())
      problems.push_back(fmt::format("tensor \"{}\" has {}, expected {}", name, describe_dtype_shape(*found),
                                     describe_dtype_shape(e.tensor)));
  }
  if (problems.empty()) return;
  std::string joined;
  for (const std::string& p : problems) joined += (joined.empty() ? "" : "; ") + p;
  throw CheckpointError(fmt::format("{}: {}", checkpoint.path, joined));
}

void copy_into(const Checkpoint& checkpoint, const NamedTensors& expected, const std::string& prefix) {
  check_compatible(checkpoint, expected, prefix);
  for (const NamedTensor& e : expected) {
    Tensor destination = e.tensor;
    destination.copy_(checkpoint.tensor(prefix + e.name));
  }
}

Checkpoint load_into(const std::string& path, const NamedTensors& expected, const std::string& prefix) {
  Checkpoint checkpoint = load_checkpoint(path);
  copy_into(checkpoint, expected, prefix);
  return checkpoint;
}

NamedTensors with_prefix(const std::string& prefix, const NamedTensors& tensors) {
  NamedTensors out;
  out.reserve(tensors.size());
  for (const NamedTensor& t : tensors) out.push_back({prefix + t.name, t.tensor});
  return out;
}

void put_generator_state(Attributes& attributes, const std::string& key, const Generator& generator) {
  attributes[key + ".seed"] = std::to_string(generator.seed());
  attributes[key + ".offset"] = std::to_string(generator.offset());
}

void restore_generator_state(const Checkpoint& checkpoint, const std::string& key, Generator& generator) {
  const uint64_t seed = parse_uint64(checkpoint, key + ".seed");
  const uint64_t offset = parse_uint64(checkpoint, key + ".offset");
  generator.set_state(seed, offset);
}

}  // namespace flowjet
