// Module-tree walk and table formatting of model_summary.h.
#include "flows/inspect/model_summary.h"

#include <algorithm>
#include <cstdlib>

#include <fmt/format.h>

#include "flows/coupling/coupling_registry.h"

namespace flowjet::flows {

namespace {

// Output width of one module: its own, or for a leaf that keeps its input's width (a dropout) its
// parent's (`parent_width`, H inside a residual block); 0 for containers without one.
int64_t output_width(const Module& m, int64_t parent_width) {
  const int64_t width = m.output_features();
  return width == 0 && m.named_children().empty() ? parent_width : width;
}

// `branch` is drawn before this row's type ("│  ├─"); `indent` continues the lines of this row's
// ancestors below it, and its children extend it.
void walk(const Module& m, const std::string& path, int depth, const std::string& branch, const std::string& indent,
          int64_t parent_width, ModelSummary& out) {
  const int64_t width = output_width(m, parent_width);
  SummaryRow row;
  row.depth = depth;
  row.path = path;
  row.parameters = m.parameter_count();
  row.tree_prefix = branch;
  row.type = m.type_name();
  row.output_shape = width > 0 ? fmt::format("[B, {}]", width) : "--";
  out.rows.push_back(row);
  const auto children = m.named_children();
  for (std::size_t i = 0; i < children.size(); ++i) {
    const bool last = i + 1 == children.size();
    const std::string child_path = path.empty() ? children[i].first : path + "." + children[i].first;
    walk(*children[i].second, child_path, depth + 1, indent + (last ? "└─" : "├─"), indent + (last ? "   " : "│  "),
         width, out);
  }
}

// Display width of UTF-8 text: the number of code points (the box-drawing characters are one column each).
std::size_t display_width(const std::string& s) {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

std::string pad(const std::string& s, std::size_t width) {
  const std::size_t w = display_width(s);
  return w >= width ? s : s + std::string(width - w, ' ');
}

}  // namespace

std::string row_label(const SummaryRow& row) {
  if (row.depth == 0) return row.type;
  const std::size_t dot = row.path.rfind('.');
  return row.tree_prefix + row.type + ": " + (dot == std::string::npos ? row.path : row.path.substr(dot + 1));
}

std::string group_digits(int64_t value) {
  std::string digits = std::to_string(std::llabs(value)), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return value < 0 ? "-" + out : out;
}

ModelSummary summarize_flow(const Flow& flow) {
  ModelSummary summary;
  walk(flow, "", 0, "", "", 0, summary);
  summary.total_parameters = flow.parameter_count();
  for (const NamedTensor& b : flow.named_buffers()) summary.buffer_elements += b.tensor.numel();
  for (const NamedTensor& p : flow.named_parameters())
    summary.parameter_bytes += p.tensor.numel() * static_cast<int64_t>(dtype_size(p.tensor.dtype()));
  return summary;
}

std::string format_summary(const ModelSummary& summary, int max_depth) {
  std::vector<const SummaryRow*> shown;
  for (const SummaryRow& row : summary.rows)
    if (max_depth < 0 || row.depth <= max_depth) shown.push_back(&row);
  std::size_t label_width = std::string("Layer (type)").size(), shape_width = std::string("Output shape").size();
  for (const SummaryRow* row : shown) {
    label_width = std::max(label_width, display_width(row_label(*row)));
    shape_width = std::max(shape_width, row->output_shape.size());
  }
  const std::string rule(label_width + shape_width + 16, '=');
  std::string out = rule + "\n";
  out += fmt::format("{}  {}  {:>12}\n", pad("Layer (type)", label_width), pad("Output shape", shape_width), "Param #");
  out += rule + "\n";
  for (const SummaryRow* row : shown)
    out += fmt::format("{}  {}  {:>12}\n", pad(row_label(*row), label_width), pad(row->output_shape, shape_width),
                       row->parameters > 0 ? group_digits(row->parameters) : "--");
  out += rule + "\n";
  out += fmt::format("Total params: {}\n", group_digits(summary.total_parameters));
  out += fmt::format("Trainable params: {}\n", group_digits(summary.total_parameters));
  out += fmt::format("Buffers (masks, batch-norm statistics; not trained): {}\n", group_digits(summary.buffer_elements));
  out += fmt::format("Params size (MB): {:.2f}\n", static_cast<double>(summary.parameter_bytes) / 1e6);
  out += rule + "\n";
  return out;
}

std::string format_hyperparameters(const FlowSpec& spec) {
  std::string out;
  auto line = [&out](const std::string& name, const std::string& value) {
    out += fmt::format("  {:<28} {}\n", name, value);
  };
  line("features (D)", std::to_string(spec.features));
  line("coupling layers (L)", std::to_string(spec.coupling_layers));
  line("coupling", describe_coupling(spec));
  line("hidden features (H)", std::to_string(spec.hidden_features));
  line("residual blocks", std::to_string(spec.num_blocks));
  std::string context = std::to_string(spec.context_features);
  if (spec.context_features < 0) context = "none";
  if (spec.context_features == 0) context = "0 (nflows' C = 0: bias-only context layers, never used)";
  line("context features (C)", context);
  line("batch norm", spec.batch_norm ? "yes (eps 1e-3, momentum 0.1)" : "no");
  line("dropout", fmt::format("{}", spec.dropout));
  line("masks", mask_kind_name(spec.mask));
  line("dtype", dtype_name(spec.dtype));
  line("seed", std::to_string(spec.seed));
  if (spec.mask == MaskKind::Explicit) {  // each layer's size follows its own mask
    std::string per_layer;
    for (int64_t l = 0; l < spec.coupling_layers; ++l)
      per_layer += (l > 0 ? ", " : "") + group_digits(spec.parameters_per_layer(l));
    line("params per coupling layer", per_layer + " (flow-model.md §5 formula, layer by layer)");
  } else {
    line("params per coupling layer", group_digits(spec.parameters_per_layer()) + " (flow-model.md §5 formula)");
  }
  line("params in total", group_digits(spec.parameter_count()));
  return out;
}

}  // namespace flowjet::flows
