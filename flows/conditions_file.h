// Generation conditions given by the user (bin/sample --conditions, training-recipe.md §9 step 2 with
// chosen instead of sampled conditions), in physical units, scaled with the model's scaler.
//
// Formats:
//  * text (any name not ending in .h5/.hdf5): one jet per line, "mass n" separated by spaces, tabs
//    or a comma; mass is the jet mass of the training recipe (training-recipe.md §2: from the particles'
//    eta_rel, phi_rel, pt_rel, i.e. mass / jet pt, dimensionless, >= 0), n the number of particles
//    (an integer 1..P). Blank lines and lines starting with '#' are skipped; a first line that
//    starts with a letter is a header ("mass,n"). Models conditioned on m alone accept rows with
//    the mass only.
//  * JetNet HDF5 (.h5/.hdf5): each jet gives its mass computed from its particles exactly as
//    training does (not jet_features.mass, which is in GeV) and its n = number of real particles.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "flows/conditional_sampler.h"
#include "flows/io/jet_model.h"

namespace flowjet::flows {

/// Reads the conditions of `path` for `model`: masses scaled to m~ with the model's scaler, n raw
/// (0 where a row of an (m) model has no n). Throws flowjet::DataError naming the file and line
/// (or JetNet error) for unreadable files, malformed rows, a negative or non-finite mass, an n
/// outside 1..P, or an empty file; flowjet::ConfigError when the model is unconditioned.
SampledConditions read_conditions_file(const std::string& path, const JetModel& model);

/// Conditions given as values (e.g. an array from the Python package): mass[i] as in the text
/// format (mass / jet pt, >= 0) and n[i] (1..P for an (m, n) model; n may be empty for an (m)
/// model), checked and scaled exactly as file rows are. Throws flowjet::DataError naming `what` and
/// the row, flowjet::ShapeError when n has another length, flowjet::ConfigError when the model is
/// unconditioned.
SampledConditions scale_conditions(const JetModel& model, const std::vector<double>& mass,
                                   const std::vector<int64_t>& n, const std::string& what);

/// `count` rows cycling through `conditions` (row i uses condition i mod size): one jet per
/// condition when count equals the size, k jets per condition ("oversampling", training-recipe.md §9)
/// when it is k times the size. Throws flowjet::ConfigError when count is not a positive multiple
/// of the number of conditions.
SampledConditions repeat_conditions(const SampledConditions& conditions, int64_t count);

}  // namespace flowjet::flows
