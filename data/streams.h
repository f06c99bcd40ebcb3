// Stream tags mixed into the user seed (derive_seed, engine/random/derive_seed.h) so that each
// random consumer of the data pipeline draws from its own reproducible SequentialRng stream
// (docs/data_pipeline.md §5 lists these and the other tags of a run).
#pragma once

#include <cstdint>

namespace flowjet::data {

inline constexpr uint64_t kSplitStream = 1;
inline constexpr uint64_t kNoiseStream = 2;
inline constexpr uint64_t kSamplerJitterStream = 3;
inline constexpr uint64_t kEpochStreamBase = 1000;  // epoch e uses kEpochStreamBase + e

}  // namespace flowjet::data
