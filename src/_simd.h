/* Dense inner loops of the design primitives, vectorised.
 *
 * Reductions accumulate in double (also for float32 data) and are vectorised
 * with `omp simd reduction` (-fopenmp-simd: no OpenMP runtime), which lets the
 * compiler reorder the sum without -ffast-math.  On x86-64 with GCC each
 * function is also compiled for AVX2+FMA and picked at load time
 * (target_clones), so wheels stay portable.  One body serves float and double
 * through RF_DEFINE; _design.pxd chooses by the fused type.
 */
#ifndef REGFAST_SIMD_H
#define REGFAST_SIMD_H

#include <stddef.h>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(REGFAST_NO_CLONES)
#define RF_CLONES __attribute__((target_clones("arch=haswell", "default")))
#else
#define RF_CLONES
#endif

#define RF_DEFINE(T, S)                                                        \
/* sum_i x_i v_i */                                                            \
RF_CLONES static double rf_dot_##S(ptrdiff_t n, const T* x, const T* v) {      \
    double acc = 0.0;                                                          \
    _Pragma("omp simd reduction(+:acc)")                                       \
    for (ptrdiff_t i = 0; i < n; i++) acc += (double)x[i] * (double)v[i];      \
    return acc;                                                                \
}                                                                              \
/* sum_i s_i x_i v_i */                                                        \
RF_CLONES static double rf_wdot_##S(ptrdiff_t n, const T* s, const T* x,       \
                                    const T* v) {                              \
    double acc = 0.0;                                                          \
    _Pragma("omp simd reduction(+:acc)")                                       \
    for (ptrdiff_t i = 0; i < n; i++)                                          \
        acc += (double)s[i] * (double)x[i] * (double)v[i];                     \
    return acc;                                                                \
}                                                                              \
/* v_i -= a x_i - c  (c = a * column mean keeps a centred v centred) */        \
RF_CLONES static void rf_axpy_##S(ptrdiff_t n, T a, const T* x, T c, T* v) {   \
    _Pragma("omp simd")                                                        \
    for (ptrdiff_t i = 0; i < n; i++) v[i] -= a * x[i] - c;                    \
}

RF_DEFINE(double, d)
RF_DEFINE(float, f)

#endif
