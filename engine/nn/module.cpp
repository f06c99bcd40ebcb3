// The Module registry: names, recursive listing, mode propagation, dtype and device conversion.
#include "engine/nn/module.h"

#include <fmt/format.h>

#include "engine/core/error.h"

namespace flowjet {

void Module::check_new_name(const std::string& name) const {
  if (name.empty() || name.find('.') != std::string::npos)
    throw ConfigError(fmt::format("Module: invalid name \"{}\" (names are non-empty and contain no '.')", name));
  auto used = [&](const std::string& other) { return other == name; };
  for (const Entry& e : parameters_)
    if (used(e.name)) throw ConfigError(fmt::format("Module: \"{}\" is already a parameter of this module", name));
  for (const Entry& e : buffers_)
    if (used(e.name)) throw ConfigError(fmt::format("Module: \"{}\" is already a buffer of this module", name));
  for (const Child& c : children_)
    if (used(c.name)) throw ConfigError(fmt::format("Module: \"{}\" is already a child of this module", name));
}

void Module::register_parameter(const std::string& name, Tensor& tensor) {
  check_new_name(name);
  FLOWJET_CHECK(tensor.defined(), "a parameter must be created before it is registered");
  tensor.set_requires_grad(true);
  parameters_.push_back({name, &tensor});
}

void Module::register_buffer(const std::string& name, Tensor& tensor) {
  check_new_name(name);
  FLOWJET_CHECK(tensor.defined(), "a buffer must be created before it is registered");
  buffers_.push_back({name, &tensor});
}

void Module::adopt_child(const std::string& name, std::unique_ptr<Module> child) {
  check_new_name(name);
  FLOWJET_CHECK(child != nullptr, "register_module needs a module");
  child->train(is_training_);
  children_.push_back({name, std::move(child)});
}

void Module::collect(const std::string& prefix, bool want_buffers, NamedTensors& out) const {
  for (const Entry& e : want_buffers ? buffers_ : parameters_) out.push_back({prefix + e.name, *e.tensor});
  for (const Child& c : children_) c.module->collect(prefix + c.name + ".", want_buffers, out);
}

NamedTensors Module::named_parameters() const {
  NamedTensors out;
  collect("", false, out);
  return out;
}

NamedTensors Module::named_buffers() const {
  NamedTensors out;
  collect("", true, out);
  return out;
}

std::vector<Tensor> Module::parameters() const {
  std::vector<Tensor> out;
  for (NamedTensor& p : named_parameters()) out.push_back(std::move(p.tensor));
  return out;
}

int64_t Module::parameter_count() const {
  int64_t count = 0;
  for (const NamedTensor& p : named_parameters()) count += p.tensor.numel();
  return count;
}

std::vector<std::pair<std::string, Module*>> Module::named_children() const {
  std::vector<std::pair<std::string, Module*>> out;
  for (const Child& c : children_) out.emplace_back(c.name, c.module.get());
  return out;
}

void Module::train(bool is_training) {
  is_training_ = is_training;
  for (Child& c : children_) c.module->train(is_training);
}

void Module::zero_grad() {
  for (const NamedTensor& p : named_parameters()) p.tensor.zero_grad();
}

void Module::to(DType dtype) {
  convert_tensors([dtype](const Tensor& t) { return t.to(dtype); });
}

void Module::to(Device device) {
  convert_tensors([device](const Tensor& t) { return t.to(device); });
}

void Module::convert_tensors(const std::function<Tensor(const Tensor&)>& convert) {
  for (Entry& e : parameters_) {
    Tensor converted = convert(e.tensor->detach());
    if (converted.impl()->storage == e.tensor->impl()->storage) continue;  // already converted: keep the grad
    *e.tensor = converted;
    e.tensor->set_requires_grad(true);
  }
  for (Entry& e : buffers_) *e.tensor = convert(*e.tensor);
  for (Child& c : children_) c.module->convert_tensors(convert);
}

Module& ModuleList::operator[](std::size_t index) const {
  if (index >= items_.size())
    throw ShapeError(
        fmt::format("ModuleList: index {} is out of range for a list of {} modules", index, items_.size()));
  return *items_[index];
}

void ModuleList::throw_wrong_type(std::size_t index) const {
  throw TypeError(fmt::format("ModuleList: module {} does not have the requested type", index));
}

}  // namespace flowjet
