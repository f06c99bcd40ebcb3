// Tests of the training configuration: defaults, the model kinds' context features, range and
// type errors naming file, line and key, and the effective INI read back to the same options.
#include "tools/common/train_config.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <fstream>
#include <functional>
#include <sstream>

#include "engine/core/error.h"
#include "tests/support/error_message.h"

using namespace flowjet;
using namespace flowjet::tools;

namespace {

std::string message_of(const std::function<void()>& fn) { return test::error_message<ConfigError>(fn); }
using test::contains;

IniConfig parse(const std::string& text, const std::string& name = "t.ini") {
  IniConfig c = IniConfig::parse(text, name, train_schema());
  c.require_complete();
  return c;
}

}  // namespace

TEST_CASE("tools/train_config: defaults and the context features of each model kind") {
  IniConfig c = parse("[model]\nkind = vnf\n", "configs/light_vnf.ini");
  flows::TrainOptions o = train_options_from(c);
  CHECK(o.model == flows::ModelKind::VNF);
  CHECK(o.flow.context_features == 0);
  CHECK(o.flow.features == 90);
  CHECK(o.flow.parameter_count() == 6560490);  // the talk's 15-layer model (flow-model.md §5)
  CHECK(o.data.path == "data/samples/q.h5");
  CHECK(o.run_dir == "runs/light_vnf");
  CHECK(o.optimizer.decoupled);
  CHECK(o.optimizer.weight_decay == 0.01);
  CHECK(o.n_mse_turnoff == -1);
  CHECK(o.max_bad_steps == 5);
  const std::pair<const char*, int64_t> kinds[] = {{"cnf_m", 1}, {"cnf_mn", 2}, {"ccnf_m", 1}, {"ccnf_mn", 2}};
  for (const auto& [kind, context] : kinds) {
    flows::FlowSpec spec = flow_spec_from(parse(fmt::format("[model]\nkind = {}\n", kind)));
    CHECK(spec.context_features == context);
  }
  CHECK(!flows::model_uses_mass_loss(flows::ModelKind::CNF_MN));
  CHECK(flows::model_uses_mass_loss(flows::ModelKind::CCNF_M));
}

TEST_CASE("tools/train_config: the mass-loss window uses strict inequalities") {
  flows::TrainOptions o =
      train_options_from(parse("[model]\nkind = ccnf_mn\n[train]\nn_mse_delay = 5\nn_mse_turnoff = 8\n"));
  CHECK(!o.mass_loss_active(5));
  CHECK(o.mass_loss_active(6));
  CHECK(o.mass_loss_active(7));
  CHECK(!o.mass_loss_active(8));
  o.n_mse_turnoff = -1;
  CHECK(o.mass_loss_active(1000000));
  o.model = flows::ModelKind::CNF_MN;
  CHECK(!o.mass_loss_active(100));
}

TEST_CASE("tools/train_config: errors name the file, the line and the key") {
  std::string unknown = message_of([] { parse("[model]\nkind = vnf\n[train]\nlearning_rate = 1\n", "a.ini"); });
  CHECK(contains(unknown, "a.ini:4"));
  CHECK(contains(unknown, "\"learning_rate\""));
  std::string type = message_of([] { parse("[model]\nkind = vnf\ncoupling_layers = ten\n", "a.ini"); });
  CHECK(contains(type, "a.ini:3"));
  CHECK(contains(type, "coupling_layers"));
  std::string choice = message_of([] { parse("[model]\nkind = gan\n", "a.ini"); });
  CHECK(contains(choice, "a.ini:2"));
  CHECK(contains(choice, "must be one of vnf"));
  std::string missing = message_of([] { parse("[train]\nlr = 1e-3\n", "a.ini"); });
  CHECK(contains(missing, "a.ini"));
  CHECK(contains(missing, "\"kind\""));
  std::string range =
      message_of([] { train_options_from(parse("[model]\nkind = vnf\n[train]\nbatch_size = 0\n", "a.ini")); });
  CHECK(contains(range, "a.ini"));
  CHECK(contains(range, "batch_size"));
  std::string dropout = message_of([] { flow_spec_from(parse("[model]\nkind = vnf\ndropout = 1\n", "a.ini")); });
  CHECK(contains(dropout, "[model] dropout"));
  IniConfig c = parse("[model]\nkind = vnf\n", "a.ini");
  std::string override_error = message_of([&] { c.apply_override("train.max_step=5"); });
  CHECK(contains(override_error, "command line"));
  CHECK(contains(override_error, "did you mean \"max_steps\""));
}

TEST_CASE("tools/train_config: model and batch sizes have upper limits, named in the message") {
  const std::pair<std::string, std::string> cases[] = {
      {"[model]\nkind = vnf\nnetwork_nodes = 100000000\n", "[model] network_nodes = 100000000 is above the limit of 65536"},
      {"[model]\nkind = vnf\ncoupling_layers = 1001\n", "[model] coupling_layers = 1001 is above the limit of 1000"},
      {"[model]\nkind = vnf\nnetwork_layers = 5000\n", "[model] network_layers = 5000 is above the limit of 1000"},
      {"[model]\nkind = vnf\nbins = 1001\n", "[model] bins = 1001 is above the limit of 1000"},
      {"[model]\nkind = vnf\n[data]\nparticles = 1001\n", "[data] particles = 1001 is above the limit of 1000"},
      {"[model]\nkind = vnf\n[train]\nbatch_size = 10000001\n", "[train] batch_size = 10000001 is above the limit of 10000000"},
      {"[model]\nkind = vnf\n[eval]\nbatch_size = 20000000\n", "[eval] batch_size = 20000000 is above the limit of 10000000"},
  };
  for (const auto& [text, expected] : cases) {
    CAPTURE(text);
    CHECK(message_of([&] { train_options_from(parse(text, "big.ini")); }) == "big.ini: " + expected);
  }
  const IniConfig largest = parse("[model]\nkind = vnf\nnetwork_nodes = 65536\nbins = 1000\n");
  CHECK(flow_spec_from(largest).hidden_features == 65536);
}

TEST_CASE("tools/train_config: the effective INI reads back to the same options") {
  IniConfig c = parse("[model]\nkind = ccnf_m\nbins = 7\n[train]\nlambda = 15.8\noptimizer = adam\n");
  c.apply_override("train.max_steps=123");
  const std::string ini = effective_ini(c);
  IniConfig back = parse(ini);
  CHECK(effective_ini(back) == ini);
  flows::TrainOptions a = train_options_from(c), b = train_options_from(back);
  CHECK(b.max_steps == 123);
  CHECK(b.flow.bins == 7);
  CHECK(b.lambda == a.lambda);
  CHECK(!b.optimizer.decoupled);
  CHECK(b.flow.parameter_count() == a.flow.parameter_count());
}

TEST_CASE("tools/train_config: README.md and docs/train.md hold the current key table") {
  for (const char* file : {"README.md", "docs/train.md"}) {
    CAPTURE(file);
    std::ifstream in(file);
    REQUIRE(in);
    std::stringstream text;
    text << in.rdbuf();
    const std::string doc = text.str(), begin = "<!-- keys:begin -->\n", end = "<!-- keys:end -->";
    const size_t from = doc.find(begin), to = doc.find(end);
    REQUIRE(from != std::string::npos);
    REQUIRE(to != std::string::npos);
    // Regenerate with: bin/train --keys
    CHECK(doc.substr(from + begin.size(), to - from - begin.size()) == train_schema().markdown());
  }
}
