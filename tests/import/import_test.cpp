// bin/import and flows/io/nflows_import.h on the fixtures of tools/py/make_import_fixtures.py: nflows
// flows (RQS and affine, masks that are not half, batch norm on and off, no context and context 0, 1,
// 2) saved in the zip and the legacy torch.save formats and as a Lightning-style .ckpt. The imported
// flow's log_prob must equal nflows' to 1e-10 relative in f64 and 1e-5 in f32, also after a save and
// load; malformed and malicious files are refused with one line naming the file.
#include <algorithm>
#include <cmath>
#include <fstream>
#include <string>

#include <doctest/doctest.h>

#include "engine/autograd/recording.h"
#include "engine/core/error.h"
#include "engine/io/checkpoint.h"
#include "flows/io/flow_checkpoint.h"
#include "flows/io/nflows_import.h"
#include "tests/support/error_message.h"
#include "tests/support/program_run.h"
#include "tests/support/temp_dir.h"

using namespace flowjet;
using namespace flowjet::flows;

namespace {

const std::string kDir = "tests/fixtures/import/";

struct Case {
  const char* file;
  CouplingKind coupling;
  int64_t features, layers, context;
  bool batch_norm;
  MaskKind mask;
  const char* prefix;
};

// What tools/py/make_import_fixtures.py built (its FLOWS table).
const Case kCases[] = {
    {"rqs_c2_bn_zip.pt", CouplingKind::RationalQuadratic, 5, 3, 2, true, MaskKind::Explicit, "_transform._transforms."},
    {"affine_c0_legacy.pt", CouplingKind::Affine, 4, 2, 0, false, MaskKind::Explicit, "_transform._transforms."},
    {"rqs_c1_bn_lightning.ckpt", CouplingKind::RationalQuadratic, 4, 2, 1, true, MaskKind::Alternating,
     "flow._transform._transforms."},
    {"affine_none_bn_zip.pt", CouplingKind::Affine, 5, 2, -1, true, MaskKind::Explicit, "_transform._transforms."},
};

std::string expected_file(const std::string& file) { return kDir + file.substr(0, file.find('.')) + "_expected.h5"; }

NflowsImportOptions options_for(const Case& c, DType dtype) {
  NflowsImportOptions options;
  options.coupling = c.coupling;
  options.tail_bound = 3.0;
  options.dtype = dtype;
  return options;
}

// max |got - expected| / max(1, |expected|) of the flow's log_prob on the fixture's inputs.
double log_prob_error(Flow& flow, const Checkpoint& expected, const std::string& reference, DType dtype) {
  NoGradScope no_grad;
  const Tensor x = expected.tensor("inputs").to(dtype);
  const Tensor* c = expected.find("context");
  const std::vector<double> got = flow.log_prob(x, c ? c->to(dtype) : Tensor()).to_vector();
  const std::vector<double> want = expected.tensor(reference).to_vector();
  REQUIRE(got.size() == want.size());
  double worst = 0.0;
  for (std::size_t i = 0; i < got.size(); ++i)
    worst = std::max(worst, std::fabs(got[i] - want[i]) / std::max(1.0, std::fabs(want[i])));
  return worst;
}

}  // namespace

TEST_CASE("import/nflows: every fixture's log_prob equals nflows' (1e-10 in f64, 1e-5 in f32)") {
  for (const Case& c : kCases) {
    CAPTURE(std::string(c.file));
    const TorchStateDict state = read_torch_state_dict(kDir + c.file);
    NflowsImport imported = import_nflows_state_dict(state, options_for(c, DType::F64));
    const FlowSpec& spec = imported.flow->spec();
    CHECK(spec.coupling == c.coupling);
    CHECK(spec.features == c.features);
    CHECK(spec.coupling_layers == c.layers);
    CHECK(spec.context_features == c.context);
    CHECK(spec.batch_norm == c.batch_norm);
    CHECK(spec.mask == c.mask);
    CHECK(imported.prefix == c.prefix);
    CHECK(imported.container_key == (std::string(c.file).find(".ckpt") != std::string::npos ? "state_dict" : ""));
    const Checkpoint expected = load_checkpoint(expected_file(c.file));
    CHECK(log_prob_error(*imported.flow, expected, "log_prob_f64", DType::F64) <= 1e-10);
    imported.flow->to(DType::F32);
    CHECK(log_prob_error(*imported.flow, expected, "log_prob_f32", DType::F32) <= 1e-5);
  }
}

TEST_CASE("import/nflows: masks that are not half survive a save and a load (MaskKind::Explicit)") {
  const test::TempDir dir;
  for (const Case& c : kCases) {
    CAPTURE(std::string(c.file));
    const NflowsImport imported = import_nflows_file(kDir + c.file, dir.file("flow.h5"), options_for(c, DType::F64));
    std::unique_ptr<Flow> loaded = load_flow(dir.file("flow.h5"));
    CHECK(loaded->spec().mask == c.mask);
    CHECK(loaded->spec().explicit_masks == imported.flow->spec().explicit_masks);
    const Checkpoint file = load_checkpoint(dir.file("flow.h5"));
    CHECK(file.string_attribute("import.source") == "nflows");
    CHECK(file.string_attribute("import.prefix") == c.prefix);
    CHECK(log_prob_error(*loaded, load_checkpoint(expected_file(c.file)), "log_prob_f64", DType::F64) <= 1e-10);
  }
  // The first fixture's layer 0 transforms 1 of 5 features, layer 2 four of 5: no flowjet mask kind makes those.
  const NflowsImport rqs = import_nflows_file(kDir + "rqs_c2_bn_zip.pt", dir.file("rqs.h5"), options_for(kCases[0], DType::F64));
  CHECK(rqs.flow->spec().explicit_masks[0] == std::vector<int>{1, 0, 0, 0, 0});
  CHECK(rqs.flow->spec().explicit_masks[2] == std::vector<int>{1, 1, 0, 1, 1});
  CHECK(rqs.flow->spec().parameter_count() == rqs.flow->parameter_count());
}

TEST_CASE("import/nflows: options that disagree with the tensors, and a missing coupling kind, are refused") {
  const TorchStateDict state = read_torch_state_dict(kDir + "rqs_c2_bn_zip.pt");
  NflowsImportOptions options = options_for(kCases[0], DType::F64);
  options.coupling = CouplingKind::Affine;  // 11 parameters per feature is RQS with 4 bins, not affine
  CHECK(test::contains(test::error_message<DataError>([&] { import_nflows_state_dict(state, options); }),
                       "affine coupling needs 2 parameters per transformed feature, the tensors have 11"));
  options = options_for(kCases[0], DType::F64);
  options.bins = 5;
  CHECK(test::contains(test::error_message<DataError>([&] { import_nflows_state_dict(state, options); }),
                       "--bins 5 disagrees with the tensors (4)"));
  options.bins.reset();
  options.coupling.reset();
  CHECK(test::contains(test::error_message<ConfigError>([&] { import_nflows_state_dict(state, options); }),
                       "--coupling rqs or affine"));
  options.coupling = CouplingKind("scale");  // a coupling nflows does not have (registered or not)
  CHECK(test::contains(test::error_message<ConfigError>([&] { import_nflows_state_dict(state, options); }),
                       "nflows import maps rqs and affine couplings, not \"scale\""));
  // A tensor of another shape than the flow's names file and tensor.
  TorchStateDict changed = state;
  for (StoredTensor& t : changed.tensors)
    if (t.name == "_transform._transforms.1.transform_net.blocks.0.linear_layers.1.bias") t.shape = {3, 2};
  CHECK(test::contains(test::error_message<DataError>([&] { import_nflows_state_dict(changed, options_for(kCases[0], DType::F64)); }),
                       "rqs_c2_bn_zip.pt: tensor \"_transform._transforms.1.transform_net.blocks.0.linear_layers.1.bias\" has shape"));
  // Index buffers that do not partition 0..D-1.
  changed = state;
  for (StoredTensor& t : changed.tensors)
    if (t.name == "_transform._transforms.0.transform_features") t.i64[0] = 3;
  CHECK(test::contains(test::error_message<DataError>([&] { import_nflows_state_dict(changed, options_for(kCases[0], DType::F64)); }),
                       "coupling layer 0: identity_features and transform_features do not partition 0..4"));
}

TEST_CASE("import/bin/import: converts each format, refuses bad files with one line and exit 1, usage errors with 2") {
  const test::TempDir dir;
  const std::string program = test::program_path("import");
  const test::ProgramRun ok = test::run_command(
      dir, program + " " + kDir + "rqs_c1_bn_lightning.ckpt " + dir.file("out.h5") + " --coupling rqs --tail-bound 3 --dtype f64");
  CHECK(ok.exit_code == 0);
  CHECK(test::contains(ok.err, "\"flow._transform._transforms.\" (prefix stripped)"));
  CHECK(test::contains(ok.err, "its \"state_dict\" entry"));
  CHECK(test::contains(ok.out, "2 rqs coupling layers, 4 features, alternating masks, context 1, batch norm on, f64"));
  CHECK(log_prob_error(*load_flow(dir.file("out.h5")), load_checkpoint(expected_file("rqs_c1_bn_lightning.ckpt")),
                       "log_prob_f64", DType::F64) <= 1e-10);

  // --hparams gives what the flags would; the flags win over it.
  std::ofstream(dir.file("hparams.ini")) << "[model]\ncoupling = affine\ntail_bound = 2.5\n";
  const test::ProgramRun hparams = test::run_command(
      dir, program + " " + kDir + "affine_c0_legacy.pt " + dir.file("h.h5") + " --hparams " + dir.file("hparams.ini"));
  CHECK(hparams.exit_code == 0);
  CHECK(load_flow(dir.file("h.h5"))->spec().tail_bound == 2.5);
  const test::ProgramRun bins = test::run_command(
      dir, program + " " + kDir + "rqs_c2_bn_zip.pt " + dir.file("b.h5") + " --coupling rqs --bins 5");
  CHECK(bins.exit_code == 1);
  CHECK(test::contains(bins.err, "rqs_c2_bn_zip.pt: --bins 5 disagrees with the tensors (4)"));

  const std::pair<const char*, const char*> bad[] = {
      {"evil_global.pt", "GLOBAL os.system is not allowed"},
      {"evil_global_legacy.pt", "GLOBAL os.system is not allowed"},
      {"evil_reduce.pt", "REDUCE of unsupported callable \"torch FloatStorage\""},
      {"recursive.pt", "a value stored inside itself"},
      {"not_a_dict.pt", "the pickled object is not a dict"},
      {"compressed.pt", "is compressed (method 8); torch.save stores entries uncompressed"},
      {"truncated.pt", "no end-of-central-directory record"},
      {"corrupted.pt", "fails its CRC-32 check"},
      {"zip64_bogus.pt", "the zip64 end record disagrees with the end-of-central-directory record"},
  };
  for (const auto& [file, message] : bad) {
    CAPTURE(file);
    const test::ProgramRun run = test::run_command(dir, program + " " + kDir + file + " " + dir.file("bad.h5") + " --coupling rqs");
    CHECK(run.exit_code == 1);
    CHECK(test::contains(run.err, std::string("bin/import: error: ") + kDir + file + ": "));
    CHECK(test::contains(run.err, message));
    CHECK(std::count(run.err.begin(), run.err.end(), '\n') == 1);
  }
  CHECK(dir.listing().size() == 5);  // out.h5, h.h5, hparams.ini and the two stream files: no bad.h5, no temporary

  CHECK(test::run_command(dir, program + " " + kDir + "affine_c0_legacy.pt " + dir.file("x.h5")).exit_code == 2);
  CHECK(test::run_command(dir, program + " " + kDir + "affine_c0_legacy.pt " + kDir + "affine_c0_legacy.pt --coupling affine")
            .exit_code == 2);
}
