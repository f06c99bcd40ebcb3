// Every configuration in configs/ parses, its file name matches its model and jet type, and the
// flow it describes has the parameter count FlowSpec::parameter_count() predicts; a few rows are
// checked against training-recipe.md §11.3.
#include <doctest/doctest.h>

#include <filesystem>
#include <set>

#include "flows/flow.h"
#include "tools/common/train_config.h"

using namespace flowjet;

TEST_CASE("train/configs: every configuration parses and builds the flow it describes") {
  std::set<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator("configs"))
    if (entry.path().extension() == ".ini") names.insert(entry.path().stem().string());
  CHECK(names.size() == 16);  // 3 jet types x 5 models + quick
  for (const std::string& name : names) {
    CAPTURE(name);
    const tools::IniConfig config = tools::load_train_config("configs/" + name + ".ini");
    const flows::TrainOptions o = tools::train_options_from(config);
    CHECK(flows::Flow(o.flow).parameter_count() == o.flow.parameter_count());
    if (name == "quick") continue;
    const std::string jet = name.substr(0, name.find('_')), kind = name.substr(name.find('_') + 1);
    CHECK(flows::model_kind_name(o.model) == kind);
    CHECK(o.data.jet_type == (jet == "gluon" ? "g" : jet == "light" ? "q" : "t"));
    CHECK(o.data.path == "data/samples/" + o.data.jet_type + ".h5");
    CHECK(o.batch_size == 10000);
    CHECK(o.max_steps == 50000);
    CHECK(o.optimizer.decoupled);
    CHECK(o.n_mse_delay == 5);
    CHECK(o.n_mse_turnoff < 0);
    CHECK(o.data.prepare.add_noise);
  }
}

TEST_CASE("train/configs: table rows of training-recipe.md §11.3 and the substitutes of §11.4") {
  struct Row {
    const char* file;
    int64_t blocks, hidden, layers, bins;
    double tail_bound, lr, dropout;
    bool batch_norm;
    double lambda;  // < 0: no mass loss
  };
  const Row rows[] = {
      {"light_cnf_mn", 5, 221, 17, 4, 6, 2.07e-4, 0.20, true, -1},  // gap: row c2_g
      {"light_vnf", 4, 234, 17, 4, 9, 5.82e-4, 0.15, true, -1},     // gap: row cc0_q
      {"light_ccnf_mn", 4, 122, 18, 7, 6, 6.56e-4, 0.48, false, 0.104},
      {"top_ccnf_m", 3, 297, 17, 4, 8, 6.97e-4, 0.29, true, 158},
      {"gluon_vnf", 4, 294, 10, 6, 8, 1.05e-4, 0.42, true, -1},
  };
  for (const Row& r : rows) {
    CAPTURE(r.file);
    const flows::TrainOptions o =
        tools::train_options_from(tools::load_train_config(std::string("configs/") + r.file + ".ini"));
    CHECK(o.flow.num_blocks == r.blocks);
    CHECK(o.flow.hidden_features == r.hidden);
    CHECK(o.flow.coupling_layers == r.layers);
    CHECK(o.flow.bins == r.bins);
    CHECK(o.flow.tail_bound == r.tail_bound);
    CHECK(o.optimizer.lr == r.lr);
    CHECK(o.flow.dropout == r.dropout);
    CHECK(o.flow.batch_norm == r.batch_norm);
    if (r.lambda >= 0) CHECK(o.lambda == r.lambda);
    CHECK(flows::model_uses_mass_loss(o.model) == (r.lambda >= 0));
  }
}

TEST_CASE("train/configs: the CPU-budget rows of configs/cpu share one flow and differ only by kind and jet type") {
  std::set<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator("configs/cpu"))
    if (entry.path().extension() == ".ini") names.insert(entry.path().stem().string());
  CHECK(names.size() == 15);  // 3 jet types x 5 models
  for (const std::string& name : names) {
    CAPTURE(name);
    const flows::TrainOptions o = tools::train_options_from(tools::load_train_config("configs/cpu/" + name + ".ini"));
    const flows::TrainOptions talk = tools::train_options_from(tools::load_train_config("configs/" + name + ".ini"));
    const std::string jet = name.substr(0, name.find('_')), kind = name.substr(name.find('_') + 1);
    CHECK(flows::model_kind_name(o.model) == kind);
    CHECK(o.data.jet_type == talk.data.jet_type);
    CHECK(o.data.path == "data/generated/" + o.data.jet_type + ".h5");  // tools/reproduce.sh makes them
    CHECK(o.flow.coupling_layers == 15);
    CHECK(o.flow.num_blocks == 2);
    CHECK(o.flow.hidden_features == 192);
    CHECK(o.flow.bins == 8);
    CHECK(o.batch_size == 1000);
    CHECK(o.lr_schedule == "cosine");
    const bool mass_loss = flows::model_uses_mass_loss(o.model);
    CHECK(o.max_steps == (mass_loss ? 3000 : 6000));  // the mass-constraint pass doubles a step's cost
    if (mass_loss) CHECK(o.lambda == talk.lambda);
  }
}
