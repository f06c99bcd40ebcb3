// The built-in metric table and the parsing of a metric selection against a table.
#include "metrics/evaluation/evaluation_table.h"

#include <algorithm>
#include <sstream>

#include <fmt/format.h>

#include "engine/core/error.h"

namespace flowjet::metrics {

// Each built-in entry is defined next to its formatting, in its own file.
MetricEntry w1m_metric();      // evaluation_w1.cpp
MetricEntry w1p_metric();      // evaluation_w1.cpp
MetricEntry w1efp_metric();    // evaluation_w1.cpp
MetricEntry cov_mmd_metric();  // evaluation_cov_mmd.cpp
MetricEntry fpnd_metric();     // evaluation_fpnd.cpp
MetricEntry fpd_metric();      // evaluation_fpd_kpd.cpp
MetricEntry kpd_metric();      // evaluation_fpd_kpd.cpp

const MetricTable& builtin_metric_table() {
  static const MetricTable table = {w1m_metric(), w1p_metric(),  w1efp_metric(), cov_mmd_metric(),
                                    fpnd_metric(), fpd_metric(), kpd_metric()};
  return table;
}

namespace {

const MetricEntry* find_entry(const MetricTable& table, const std::string& name) {
  const auto found =
      std::find_if(table.begin(), table.end(), [&](const MetricEntry& entry) { return entry.name == name; });
  return found == table.end() ? nullptr : &*found;
}

}  // namespace

const std::vector<std::string>& MetricSelection::names() const {
  static const std::vector<std::string> none;
  return names_ ? *names_ : none;
}

MetricSelection parse_metric_selection(const std::string& list, const MetricTable& table) {
  if (list == "preset") return MetricSelection{};
  std::vector<bool> chosen(table.size(), list == "all");
  if (list != "all") {
    std::stringstream stream(list);
    std::string name;
    bool any = false;
    while (std::getline(stream, name, ',')) {
      const MetricEntry* entry = find_entry(table, name);
      if (!entry)
        throw ConfigError(fmt::format("unknown metric \"{}\" in \"{}\" (expected all, preset, or a comma-separated "
                                      "list of {})", name, list, metric_names(table, ", ")));
      chosen[static_cast<size_t>(entry - table.data())] = true;
      any = true;
    }
    if (!any) throw ConfigError("empty metric list (expected all, preset, or names such as w1m,w1p)");
  }
  std::vector<std::string> names;
  for (size_t i = 0; i < table.size(); ++i)
    if (chosen[i]) names.push_back(table[i].name);
  return MetricSelection(std::move(names));
}

std::string metric_selection_string(const MetricSelection& selection) {
  if (selection.preset_default()) return "preset";
  std::string out;
  for (const std::string& name : selection.names()) out += (out.empty() ? "" : ",") + name;
  return out;
}

std::vector<const MetricEntry*> selected_metrics(const MetricTable& table, const MetricSelection& selection,
                                                 Preset preset) {
  for (const std::string& name : selection.names())
    if (!find_entry(table, name))
      throw ConfigError(fmt::format("evaluate: metric \"{}\" is not in the metric table ({})", name,
                                    metric_names(table, ", ")));
  std::vector<const MetricEntry*> out;
  for (const MetricEntry& entry : table) {
    const auto& names = selection.names();
    const bool chosen = selection.preset_default()
                            ? std::find(entry.presets.begin(), entry.presets.end(), preset) != entry.presets.end()
                            : std::find(names.begin(), names.end(), entry.name) != names.end();
    if (chosen) out.push_back(&entry);
  }
  return out;
}

std::string metric_names(const MetricTable& table, const std::string& separator) {
  std::string out;
  for (const MetricEntry& entry : table) out += (out.empty() ? "" : separator) + entry.name;
  return out;
}

}  // namespace flowjet::metrics
