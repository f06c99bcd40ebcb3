// Embedding flowjet: load a trained jet model, generate jets and score them (docs/embedding.md).
// Build against an installed flowjet (make install PREFIX=...):
//   g++ -std=c++17 embed.cpp $(pkg-config --cflags --libs flowjet) -o embed
//   ./embed model.h5
#include <flowjet/jet_generator.h>

#include <cstdio>
#include <exception>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: embed MODEL.h5\n");
    return 2;
  }
  try {
    flowjet::JetGenerator generator(argv[1]);
    flowjet::Jets jets = generator.sample(1000, 7);  // 1000 jets, seed 7
    std::vector<double> log_p = generator.log_prob(jets);

    double particles = 0.0, mean_log_p = 0.0;
    for (int64_t i = 0; i < jets.count; ++i) {
      particles += jets.jet_features[i * 4 + 3];  // num_particles
      mean_log_p += log_p[i];
    }
    std::printf("model %s (%s jets, %lld particles)\n", generator.kind().c_str(), generator.jet_type().c_str(),
                static_cast<long long>(generator.particles()));
    std::printf("%lld jets, mean num_particles %.3f, leading pt_rel of jet 0 %.6f, mean log p %.6f\n",
                static_cast<long long>(jets.count), particles / jets.count, jets.particle_features[2],
                mean_log_p / jets.count);
    return 0;
  } catch (const std::exception& e) {  // flowjet errors are std::runtime_errors naming the file or shape
    std::fprintf(stderr, "embed: %s\n", e.what());
    return 1;
  }
}
