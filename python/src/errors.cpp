// flowjet's C++ errors as Python exceptions carrying the same message: flowjet._core.Error (a
// RuntimeError) and one subclass per C++ class; ConfigError and ShapeError are also ValueErrors,
// TypeError also Python's TypeError.
#include <fmt/format.h>

#include "engine/core/error.h"
#include "python/src/bindings.h"

namespace flowjet::python {

void bind_errors(py::module_& m) {
  // The classes live as long as the interpreter (one reference is kept here on purpose).
  const auto make_class = [&m](const char* name, PyObject* base, PyObject* extra_base) {
    py::tuple bases = extra_base ? py::make_tuple(py::handle(base), py::handle(extra_base)) : py::make_tuple(py::handle(base));
    PyObject* type = PyErr_NewException(fmt::format("flowjet._core.{}", name).c_str(), bases.ptr(), nullptr);
    if (!type) throw py::error_already_set();
    m.add_object(name, py::handle(type));
    return type;
  };
  static PyObject* error = make_class("Error", PyExc_RuntimeError, nullptr);
  static PyObject* shape = make_class("ShapeError", error, PyExc_ValueError);
  static PyObject* type = make_class("TypeError", error, PyExc_TypeError);
  static PyObject* config = make_class("ConfigError", error, PyExc_ValueError);
  static PyObject* data = make_class("DataError", error, nullptr);
  static PyObject* checkpoint = make_class("CheckpointError", error, nullptr);
  static PyObject* cuda = make_class("CudaError", error, nullptr);
  static PyObject* numeric = make_class("NumericError", error, nullptr);
  static PyObject* autograd = make_class("AutogradError", error, nullptr);
  static PyObject* internal = make_class("InternalError", error, nullptr);
  py::register_exception_translator([](std::exception_ptr thrown) {
    if (!thrown) return;
    try {
      std::rethrow_exception(thrown);
    } catch (const ShapeError& e) {
      PyErr_SetString(shape, e.what());
    } catch (const TypeError& e) {
      PyErr_SetString(type, e.what());
    } catch (const ConfigError& e) {
      PyErr_SetString(config, e.what());
    } catch (const DataError& e) {
      PyErr_SetString(data, e.what());
    } catch (const CheckpointError& e) {
      PyErr_SetString(checkpoint, e.what());
    } catch (const CudaError& e) {
      PyErr_SetString(cuda, e.what());
    } catch (const NumericError& e) {
      PyErr_SetString(numeric, e.what());
    } catch (const AutogradError& e) {
      PyErr_SetString(autograd, e.what());
    } catch (const InternalError& e) {
      PyErr_SetString(internal, e.what());
    } catch (const Error& e) {
      PyErr_SetString(error, e.what());
    }
  });
}

}  // namespace flowjet::python
