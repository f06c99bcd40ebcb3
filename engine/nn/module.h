// Modules: objects that own named parameters (trainable), buffers (state such as running statistics)
// and child modules, with stable dotted names ("transforms.3.conditioner.blocks.1.linear_0.weight")
// and a training/eval mode that reaches every child. Modeled on torch.nn.Module.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/core/device.h"
#include "engine/core/dtype.h"
#include "engine/nn/named_tensor.h"

namespace flowjet {

/// Base of every layer. A derived class registers its tensor members and children in its constructor;
/// the registry keeps pointers to those members, so a Module is neither copyable nor movable (own
/// modules through std::unique_ptr, or as members registered with register_module).
class Module {
 public:
  Module() = default;
  virtual ~Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  /// Every parameter, with dotted names. Order: this module's own parameters in registration order,
  /// then each child's in registration order, recursively (the order of torch's named_parameters()).
  NamedTensors named_parameters() const;
  /// Every buffer (running statistics, ...), named and ordered like named_parameters().
  NamedTensors named_buffers() const;
  /// The tensors of named_parameters(), in the same order.
  std::vector<Tensor> parameters() const;
  /// Total number of parameter elements (buffers excluded).
  int64_t parameter_count() const;
  /// Direct children with their names, in registration order.
  std::vector<std::pair<std::string, Module*>> named_children() const;

  /// The layer's class name as model summaries show it ("Linear", "RqsCoupling"); layers override it.
  virtual std::string type_name() const { return "Module"; }
  /// The width of the layer's output rows, for summaries; 0 when it keeps its input's width (Dropout) or
  /// has no single output (containers).
  virtual int64_t output_features() const { return 0; }

  /// Sets training mode (true) or eval mode (false) on this module and every descendant.
  void train(bool is_training = true);
  void eval() { train(false); }
  bool is_training() const { return is_training_; }

  /// Drops the gradient of every parameter.
  void zero_grad();
  /// Converts every parameter and buffer, here and in every descendant, to `dtype`, in place of the
  /// registered members. Converted parameters stay trainable but start without a gradient.
  void to(DType dtype);
  /// Moves every parameter and buffer, here and in every descendant, to `device` (an explicit copy), in place
  /// of the registered members. Moved parameters stay trainable but start without a gradient.
  void to(Device device);

 protected:
  /// Registers the member `tensor` as a parameter named `name` and marks it as requiring a gradient.
  /// Throws ConfigError for an empty name, a name containing '.', or a name already used in this module.
  void register_parameter(const std::string& name, Tensor& tensor);
  /// Registers the member `tensor` as a buffer (saved in checkpoints, never trained). Same name rules.
  void register_buffer(const std::string& name, Tensor& tensor);
  /// Takes ownership of `child` under `name` and returns it; lists use "0", "1", ... (see ModuleList).
  template <class M>
  M& register_module(const std::string& name, std::unique_ptr<M> child) {
    M& ref = *child;
    adopt_child(name, std::unique_ptr<Module>(std::move(child)));
    return ref;
  }

 private:
  struct Entry {
    std::string name;
    Tensor* tensor;
  };
  struct Child {
    std::string name;
    std::unique_ptr<Module> module;
  };

  void adopt_child(const std::string& name, std::unique_ptr<Module> child);
  /// Replaces every parameter and buffer, recursively, by convert(tensor); a parameter that convert leaves
  /// on its storage (already of the wanted dtype or device) keeps its gradient.
  void convert_tensors(const std::function<Tensor(const Tensor&)>& convert);
  void check_new_name(const std::string& name) const;
  void collect(const std::string& prefix, bool want_buffers, NamedTensors& out) const;

  std::vector<Entry> parameters_;
  std::vector<Entry> buffers_;
  std::vector<Child> children_;
  bool is_training_ = true;
};

/// An indexed list of child modules, named "0", "1", ... in the order they are appended.
class ModuleList : public Module {
 public:
  /// Appends `child` (named by its index) and returns it.
  template <class M>
  M& push_back(std::unique_ptr<M> child) {
    M& ref = register_module(std::to_string(items_.size()), std::move(child));
    items_.push_back(&ref);
    return ref;
  }
  std::string type_name() const override { return "ModuleList"; }
  std::size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  /// The child at `index`; throws ShapeError when out of range.
  Module& operator[](std::size_t index) const;
  /// The child at `index` as an M; throws ShapeError when out of range, TypeError when it is no M.
  template <class M>
  M& at(std::size_t index) const {
    M* typed = dynamic_cast<M*>(&(*this)[index]);
    if (!typed) throw_wrong_type(index);
    return *typed;
  }

 private:
  [[noreturn]] void throw_wrong_type(std::size_t index) const;
  std::vector<Module*> items_;
};

}  // namespace flowjet
