// The coupling list of coupling_registry.h: the built-ins, then whatever register_coupling adds.
#include "flows/coupling/coupling_registry.h"

#include <algorithm>
#include <deque>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "engine/core/error.h"
#include "flows/coupling/affine_coupling.h"
#include "flows/coupling/rqs_coupling.h"

namespace flowjet::flows {

namespace {

bool has_name(const CouplingInfo& info, const std::string& name) {
  return info.name == name || std::find(info.aliases.begin(), info.aliases.end(), name) != info.aliases.end();
}

void add(std::deque<CouplingInfo>& all, CouplingInfo info) {
  if (info.name.empty()) throw ConfigError("register_coupling: the coupling has no name");
  if (!info.parameters_per_feature || !info.make || !info.describe)
    throw ConfigError(fmt::format("register_coupling: coupling \"{}\" needs parameters_per_feature, make and describe",
                                  info.name));
  std::vector<std::string> names = info.aliases;
  names.push_back(info.name);
  for (const std::string& name : names)
    for (const CouplingInfo& known : all)
      if (has_name(known, name))
        throw ConfigError(fmt::format("register_coupling: the name \"{}\" is taken by coupling \"{}\"", name, known.name));
  all.push_back(std::move(info));
}

// A deque: registering keeps the references find_coupling handed out valid. Built on first use, so
// registering from another file's static initialiser is safe.
std::deque<CouplingInfo>& registry() {
  static std::deque<CouplingInfo> all = [] {
    std::deque<CouplingInfo> builtins;
    // The built-in couplings, one line each (docs/architecture.md, "Add a coupling transform").
    add(builtins, rqs_coupling_info());
    add(builtins, affine_coupling_info());
    return builtins;
  }();
  return all;
}

}  // namespace

void register_coupling(CouplingInfo info) { add(registry(), std::move(info)); }

const CouplingInfo& find_coupling(const std::string& name) {
  for (const CouplingInfo& info : registry())
    if (has_name(info, name)) return info;
  throw ConfigError(fmt::format("unknown coupling \"{}\" (expected {})", name, coupling_names_text()));
}

std::vector<std::string> coupling_names() {
  std::vector<std::string> names;
  for (const CouplingInfo& info : registry()) names.push_back(info.name);
  return names;
}

std::string coupling_names_text() {
  const std::vector<std::string> names = coupling_names();
  if (names.size() == 1) return names[0];
  return fmt::format("{} or {}", fmt::join(names.begin(), names.end() - 1, ", "), names.back());
}

std::string describe_coupling(const FlowSpec& spec) {
  const CouplingInfo& info = find_coupling(spec.coupling.name());
  return info.name + ": " + info.describe(spec);
}

}  // namespace flowjet::flows
