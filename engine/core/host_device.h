// FLOWJET_HOST_DEVICE marks a small inline formula that the CPU kernels (g++) and the CUDA kernels (nvcc)
// share, so both backends compute an op from one definition. Such formulas call std:: math functions,
// which nvcc provides in device code as well.
#pragma once

#ifdef __CUDACC__
#define FLOWJET_HOST_DEVICE __host__ __device__
#else
#define FLOWJET_HOST_DEVICE
#endif
