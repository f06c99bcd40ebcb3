// The INI schema of bin/train (sections data, model, train, eval, output; docs/train.md shows
// its markdown() table) and the conversions from a validated IniConfig to the trainer's options.
#pragma once

#include <string>
#include <vector>

#include "flows/flow_spec.h"
#include "flows/train/train_options.h"
#include "tools/common/ini_config.h"

namespace flowjet::tools {

/// The schema of training configurations; one static instance (IniConfig keeps a pointer to it).
const Schema& train_schema();

/// Loads `path`, applies the "section.key=value" overrides in order and checks required keys.
/// Throws ConfigError naming the file, line and key (or "command line").
IniConfig load_train_config(const std::string& path, const std::vector<std::string>& overrides = {});

/// The flow of [model] (and data.particles, train.seed): context features follow model.kind.
/// Throws ConfigError naming the configuration and the key of a value out of range.
flows::FlowSpec flow_spec_from(const IniConfig& config);

/// Every option of a training run; the data path falls back to data/samples/<jet_type>.h5 and the
/// run directory to runs/<configuration file stem>. Throws ConfigError like flow_spec_from.
flows::TrainOptions train_options_from(const IniConfig& config);

/// The effective configuration as an INI file (every key of the schema with its value, by
/// section), which load_train_config reads back to the same options.
std::string effective_ini(const IniConfig& config);

}  // namespace flowjet::tools
