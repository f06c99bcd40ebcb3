// A torchinfo-like summary of a flow (the talk's "Normalising Flows are BIG" table): every module
// with its type, symbolic output shape and parameter count, the totals, and the hyper-parameters.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "flows/flow.h"

namespace flowjet::flows {

struct SummaryRow {
  int depth = 0;             // 0 for the flow itself
  std::string path;          // dotted module path, "transforms.0.conditioner.blocks.1.linear_0"; "" for the flow
  std::string type;          // Module::type_name(): "Flow", "ModuleList", "RqsCoupling", "ResidualNet", ...
  std::string output_shape;  // symbolic in the batch size B: "[B, 90]"; "--" for containers without an output
  int64_t parameters = 0;    // parameter elements of the module and its descendants
  std::string tree_prefix;   // torchinfo-style branch drawing ("│    └─") for printing
};

struct ModelSummary {
  std::vector<SummaryRow> rows;   // depth-first, children in registration order
  int64_t total_parameters = 0;
  int64_t buffer_elements = 0;    // masks and batch-norm running statistics (not trained)
  int64_t parameter_bytes = 0;    // total_parameters times the dtype size
};

/// Walks the flow's module tree (no forward pass is run).
ModelSummary summarize_flow(const Flow& flow);

/// The table: one line per row up to `max_depth` (negative: all), then the totals.
std::string format_summary(const ModelSummary& summary, int max_depth = -1);

/// The FlowSpec as "name  value" lines, with the closed-form count per coupling layer (flow-model.md §5).
std::string format_hyperparameters(const FlowSpec& spec);

/// The table's first column: the tree drawing, the type and the module's own name ("├─Linear: linear_0").
std::string row_label(const SummaryRow& row);

/// 6560490 -> "6,560,490".
std::string group_digits(int64_t value);

}  // namespace flowjet::flows
