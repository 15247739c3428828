/* Dense inner loops of the design primitives, vectorised.
 *
 * Reductions accumulate in double, also for float32 data (the multi-task
 * block's, with a float32 state, from partial sums of four float32 products:
 * see rf_dot4_avx2_f).  A reduction loop is bound by the latency of its adds
 * unless it keeps several independent accumulators, which compilers do not
 * do for floating point without -ffast-math; so on x86-64 every loop has an
 * AVX2+FMA version (the reductions with several vector accumulators), chosen
 * at run time by the CPU's features (__builtin_cpu_supports), and a portable
 * `omp simd` version elsewhere.  Wheels stay portable: nothing needs -march.
 * One body serves every (X, state) type pair through the RF_* macros: _f
 * (float32 X and state), _d (float64 both) and _fd (float32 X, a float64
 * state: the precision of float64 at float32's memory traffic for X).
 * The loader rf_ld4_<S> widens four values of a type to doubles.
 * _design.pxd picks the variant by the fused types.
 */
#ifndef REGFAST_SIMD_H
#define REGFAST_SIMD_H

#include <stddef.h>

/* ---- portable versions -------------------------------------------------- */
/* TX: X's values, TV: the state (v, r_k) and the weights s; S: the suffix */
#define RF_PORTABLE(TX, TV, S)                                                 \
static double rf_dot_portable_##S(ptrdiff_t n, const TX* x, const TV* v) {     \
    double acc = 0.0;                                                          \
    _Pragma("omp simd reduction(+:acc)")                                       \
    for (ptrdiff_t i = 0; i < n; i++) acc += (double)x[i] * (double)v[i];      \
    return acc;                                                                \
}                                                                              \
static double rf_wdot_portable_##S(ptrdiff_t n, const TV* s, const TX* x,      \
                                   const TV* v) {                              \
    double acc = 0.0;                                                          \
    _Pragma("omp simd reduction(+:acc)")                                       \
    for (ptrdiff_t i = 0; i < n; i++)                                          \
        acc += (double)s[i] * (double)x[i] * (double)v[i];                     \
    return acc;                                                                \
}
RF_PORTABLE(double, double, d)
RF_PORTABLE(float, float, f)
RF_PORTABLE(float, double, fd)

/* Four targets at once (the multi-task block update): x is read once for
 * four vectors r[0..3] (dot: out[k] = sum_i x_i r_k[i]). */
#define RF_PORTABLE4(TX, TV, S)                                                \
static void rf_dot4_portable_##S(ptrdiff_t n, const TX* x, const TV* r0,       \
                                 const TV* r1, const TV* r2, const TV* r3,     \
                                 double* out) {                                \
    double a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0;                             \
    _Pragma("omp simd reduction(+:a0,a1,a2,a3)")                               \
    for (ptrdiff_t i = 0; i < n; i++) {                                        \
        double xi = (double)x[i];                                              \
        a0 += xi * (double)r0[i]; a1 += xi * (double)r1[i];                    \
        a2 += xi * (double)r2[i]; a3 += xi * (double)r3[i];                    \
    }                                                                          \
    out[0] = a0; out[1] = a1; out[2] = a2; out[3] = a3;                        \
}
RF_PORTABLE4(double, double, d)
RF_PORTABLE4(float, float, f)
RF_PORTABLE4(float, double, fd)

/* The updates v_i -= a x_i - c have no reduction, so plain vectorisation
 * is enough; one body, compiled portably and (below) for AVX2, where a
 * float32 vector holds eight values.  (GCC's target_clones("arch=haswell")
 * dispatched on the CPU model, not its features, and ran the SSE2 clone on
 * every newer x86 CPU.) */
#define RF_AXPY_BODIES(TX, TV, S, ATTR, V)                                    \
ATTR static void rf_axpy_##V##_##S(ptrdiff_t n, TV a, const TX* x, TV c,      \
                                   TV* v) {                                    \
    _Pragma("omp simd")                                                        \
    for (ptrdiff_t i = 0; i < n; i++) v[i] -= a * (TV)x[i] - c;                \
}                                                                              \
ATTR static void rf_axpy4_##V##_##S(ptrdiff_t n, const TV* a, const TX* x,    \
                                    const TV* c, TV* r0, TV* r1, TV* r2,       \
                                    TV* r3) {                                  \
    TV a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];                             \
    TV c0 = c[0], c1 = c[1], c2 = c[2], c3 = c[3];                             \
    _Pragma("omp simd")                                                        \
    for (ptrdiff_t i = 0; i < n; i++) {                                        \
        TV xi = (TV)x[i];                                                      \
        r0[i] -= a0 * xi - c0; r1[i] -= a1 * xi - c1;                          \
        r2[i] -= a2 * xi - c2; r3[i] -= a3 * xi - c3;                          \
    }                                                                          \
}
RF_AXPY_BODIES(double, double, d, , portable)
RF_AXPY_BODIES(float, float, f, , portable)
RF_AXPY_BODIES(float, double, fd, , portable)

#if defined(__GNUC__) && defined(__x86_64__) && !defined(REGFAST_PORTABLE_ONLY)
#include <immintrin.h>
#define RF_AVX2 __attribute__((target("avx2,fma")))

static int rf_has_avx2(void) {
    static int has = -1;           /* benign race: every thread writes the same */
    if (has < 0) {
        __builtin_cpu_init();
        has = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    }
    return has;
}
RF_AVX2 static inline __m256d rf_ld4_d(const double* p) { return _mm256_loadu_pd(p); }
RF_AVX2 static inline __m256d rf_ld4_f(const float* p) { return _mm256_cvtps_pd(_mm_loadu_ps(p)); }
RF_AVX2 static inline double rf_hsum(__m256d a) {
    __m128d s = _mm_add_pd(_mm256_castpd256_pd128(a), _mm256_extractf128_pd(a, 1));
    return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
}

/* four independent accumulators of four lanes: 16 values per iteration */
#define RF_AVX2_DOT(TX, SX, TV, SV, S)                                        \
RF_AVX2 static double rf_dot_avx2_##S(ptrdiff_t n, const TX* x, const TV* v) { \
    __m256d a0 = _mm256_setzero_pd(), a1 = a0, a2 = a0, a3 = a0;               \
    ptrdiff_t i = 0;                                                           \
    for (; i + 16 <= n; i += 16) {                                             \
        a0 = _mm256_fmadd_pd(rf_ld4_##SX(x + i), rf_ld4_##SV(v + i), a0);        \
        a1 = _mm256_fmadd_pd(rf_ld4_##SX(x + i + 4), rf_ld4_##SV(v + i + 4), a1);\
        a2 = _mm256_fmadd_pd(rf_ld4_##SX(x + i + 8), rf_ld4_##SV(v + i + 8), a2);\
        a3 = _mm256_fmadd_pd(rf_ld4_##SX(x + i + 12), rf_ld4_##SV(v + i + 12), a3);\
    }                                                                          \
    double acc = rf_hsum(_mm256_add_pd(_mm256_add_pd(a0, a1),                  \
                                       _mm256_add_pd(a2, a3)));               \
    for (; i < n; i++) acc += (double)x[i] * (double)v[i];                     \
    return acc;                                                                \
}
#define RF_AVX2_WDOT(TX, SX, TV, SV, S)                                       \
RF_AVX2 static double rf_wdot_avx2_##S(ptrdiff_t n, const TV* s, const TX* x,  \
                                       const TV* v) {                          \
    __m256d a0 = _mm256_setzero_pd(), a1 = a0, a2 = a0, a3 = a0;               \
    ptrdiff_t i = 0;                                                           \
    for (; i + 16 <= n; i += 16) {                                             \
        a0 = _mm256_fmadd_pd(_mm256_mul_pd(rf_ld4_##SV(s + i), rf_ld4_##SX(x + i)),\
                             rf_ld4_##SV(v + i), a0);                           \
        a1 = _mm256_fmadd_pd(_mm256_mul_pd(rf_ld4_##SV(s + i + 4),              \
                                           rf_ld4_##SX(x + i + 4)),             \
                             rf_ld4_##SV(v + i + 4), a1);                       \
        a2 = _mm256_fmadd_pd(_mm256_mul_pd(rf_ld4_##SV(s + i + 8),              \
                                           rf_ld4_##SX(x + i + 8)),             \
                             rf_ld4_##SV(v + i + 8), a2);                       \
        a3 = _mm256_fmadd_pd(_mm256_mul_pd(rf_ld4_##SV(s + i + 12),             \
                                           rf_ld4_##SX(x + i + 12)),            \
                             rf_ld4_##SV(v + i + 12), a3);                      \
    }                                                                          \
    double acc = rf_hsum(_mm256_add_pd(_mm256_add_pd(a0, a1),                  \
                                       _mm256_add_pd(a2, a3)));               \
    for (; i < n; i++) acc += (double)s[i] * (double)x[i] * (double)v[i];      \
    return acc;                                                                \
}
RF_AVX2_DOT(double, d, double, d, d)
RF_AVX2_DOT(float, f, double, d, fd)
RF_AVX2_DOT(float, f, float, f, f)
RF_AVX2_WDOT(double, d, double, d, d)
RF_AVX2_WDOT(float, f, float, f, f)
RF_AVX2_WDOT(float, f, double, d, fd)

/* four targets, two accumulators each (eight independent chains: one chain
 * a target was bound by the FMA latency), x loaded once per four samples */
#define RF_AVX2_DOT4(TX, SX, TV, SV, S)                                       \
RF_AVX2 static void rf_dot4_avx2_##S(ptrdiff_t n, const TX* x, const TV* r0,   \
                                     const TV* r1, const TV* r2, const TV* r3, \
                                     double* out) {                            \
    __m256d a0 = _mm256_setzero_pd(), a1 = a0, a2 = a0, a3 = a0;               \
    __m256d b0 = a0, b1 = a0, b2 = a0, b3 = a0;                                \
    ptrdiff_t i = 0;                                                           \
    for (; i + 8 <= n; i += 8) {                                               \
        __m256d xi = rf_ld4_##SX(x + i), xj = rf_ld4_##SX(x + i + 4);           \
        a0 = _mm256_fmadd_pd(xi, rf_ld4_##SV(r0 + i), a0);                      \
        a1 = _mm256_fmadd_pd(xi, rf_ld4_##SV(r1 + i), a1);                      \
        a2 = _mm256_fmadd_pd(xi, rf_ld4_##SV(r2 + i), a2);                      \
        a3 = _mm256_fmadd_pd(xi, rf_ld4_##SV(r3 + i), a3);                      \
        b0 = _mm256_fmadd_pd(xj, rf_ld4_##SV(r0 + i + 4), b0);                  \
        b1 = _mm256_fmadd_pd(xj, rf_ld4_##SV(r1 + i + 4), b1);                  \
        b2 = _mm256_fmadd_pd(xj, rf_ld4_##SV(r2 + i + 4), b2);                  \
        b3 = _mm256_fmadd_pd(xj, rf_ld4_##SV(r3 + i + 4), b3);                  \
    }                                                                          \
    if (i + 4 <= n) {                                                          \
        __m256d xi = rf_ld4_##SX(x + i);                                        \
        a0 = _mm256_fmadd_pd(xi, rf_ld4_##SV(r0 + i), a0);                      \
        a1 = _mm256_fmadd_pd(xi, rf_ld4_##SV(r1 + i), a1);                      \
        a2 = _mm256_fmadd_pd(xi, rf_ld4_##SV(r2 + i), a2);                      \
        a3 = _mm256_fmadd_pd(xi, rf_ld4_##SV(r3 + i), a3);                      \
        i += 4;                                                                \
    }                                                                          \
    double c0 = rf_hsum(_mm256_add_pd(a0, b0)), c1 = rf_hsum(_mm256_add_pd(a1, b1));\
    double c2 = rf_hsum(_mm256_add_pd(a2, b2)), c3 = rf_hsum(_mm256_add_pd(a3, b3));\
    for (; i < n; i++) {                                                       \
        double xi = (double)x[i];                                              \
        c0 += xi * (double)r0[i]; c1 += xi * (double)r1[i];                    \
        c2 += xi * (double)r2[i]; c3 += xi * (double)r3[i];                    \
    }                                                                          \
    out[0] = c0; out[1] = c1; out[2] = c2; out[3] = c3;                        \
}
RF_AVX2_DOT4(double, d, double, d, d)
RF_AVX2_DOT4(float, f, double, d, fd)

/* The multi-task block's gradient with float32 X and a float32 state: the
 * products are summed in float32, four samples to a lane of eight, and only
 * those partial sums are widened and added in double.  Widening every value
 * (vcvtps2pd, as the kernels above do) bound this loop, the largest cost of
 * a multi-task epoch; a float32 sum of four products adds a relative
 * rounding of a few 2^-24, the order of the float32 state's own.  The
 * single-target kernels keep double products: their trajectories at a
 * float32 tol moved enough with the rounding (leukemia's Lasso at
 * alpha_max/100 took 325 epochs instead of 240) to cost what they saved. */
RF_AVX2 static inline void rf_widen_add(__m256 s, __m256d* acc) {
    *acc = _mm256_add_pd(*acc,
                         _mm256_add_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(s)),
                                       _mm256_cvtps_pd(_mm256_extractf128_ps(s, 1))));
}
RF_AVX2 static inline __m256 rf_prod4_f(const float* x, const float* v) {
    __m256 s = _mm256_mul_ps(_mm256_loadu_ps(x), _mm256_loadu_ps(v));
    s = _mm256_fmadd_ps(_mm256_loadu_ps(x + 8), _mm256_loadu_ps(v + 8), s);
    s = _mm256_fmadd_ps(_mm256_loadu_ps(x + 16), _mm256_loadu_ps(v + 16), s);
    return _mm256_fmadd_ps(_mm256_loadu_ps(x + 24), _mm256_loadu_ps(v + 24), s);
}
RF_AVX2 static void rf_dot4_avx2_f(ptrdiff_t n, const float* x, const float* r0,
                                   const float* r1, const float* r2, const float* r3,
                                   double* out) {
    __m256d a0 = _mm256_setzero_pd(), a1 = a0, a2 = a0, a3 = a0;
    ptrdiff_t i = 0;
    for (; i + 32 <= n; i += 32) {
        rf_widen_add(rf_prod4_f(x + i, r0 + i), &a0);
        rf_widen_add(rf_prod4_f(x + i, r1 + i), &a1);
        rf_widen_add(rf_prod4_f(x + i, r2 + i), &a2);
        rf_widen_add(rf_prod4_f(x + i, r3 + i), &a3);
    }
    for (; i + 8 <= n; i += 8) {
        __m256 xi = _mm256_loadu_ps(x + i);
        rf_widen_add(_mm256_mul_ps(xi, _mm256_loadu_ps(r0 + i)), &a0);
        rf_widen_add(_mm256_mul_ps(xi, _mm256_loadu_ps(r1 + i)), &a1);
        rf_widen_add(_mm256_mul_ps(xi, _mm256_loadu_ps(r2 + i)), &a2);
        rf_widen_add(_mm256_mul_ps(xi, _mm256_loadu_ps(r3 + i)), &a3);
    }
    double c0 = rf_hsum(a0), c1 = rf_hsum(a1), c2 = rf_hsum(a2), c3 = rf_hsum(a3);
    for (; i < n; i++) {
        double xi = (double)x[i];
        c0 += xi * (double)r0[i]; c1 += xi * (double)r1[i];
        c2 += xi * (double)r2[i]; c3 += xi * (double)r3[i];
    }
    out[0] = c0; out[1] = c1; out[2] = c2; out[3] = c3;
}
/* The updates without FMA: a * x - c rounded as the portable loop rounds it, so
 * a fit's numbers do not depend on the CPU (a contracted update moved float32
 * trajectories by 1e-5, past scikit-learn's test_enet_float_precision). */
#define RF_AVX2_NOFMA __attribute__((target("avx2")))
RF_AXPY_BODIES(double, double, d, RF_AVX2_NOFMA, avx2)
RF_AXPY_BODIES(float, float, f, RF_AVX2_NOFMA, avx2)
RF_AXPY_BODIES(float, double, fd, RF_AVX2_NOFMA, avx2)
#define RF_PICK(name, S, ...) \
    (rf_has_avx2() ? name##_avx2_##S(__VA_ARGS__) : name##_portable_##S(__VA_ARGS__))
#else
#define RF_PICK(name, S, ...) name##_portable_##S(__VA_ARGS__)
#endif

/* ---- the primitives _design.pxd calls ----------------------------------- */
#define RF_DEFINE(TX, TV, S)                                                  \
/* sum_i x_i v_i */                                                            \
static inline double rf_dot_##S(ptrdiff_t n, const TX* x, const TV* v) {       \
    return RF_PICK(rf_dot, S, n, x, v);                                        \
}                                                                              \
/* sum_i s_i x_i v_i */                                                        \
static inline double rf_wdot_##S(ptrdiff_t n, const TV* s, const TX* x,        \
                                 const TV* v) {                                \
    return RF_PICK(rf_wdot, S, n, s, x, v);                                    \
}                                                                              \
/* v_i -= a x_i - c  (c = a * column mean keeps a centred v centred) */       \
static inline void rf_axpy_##S(ptrdiff_t n, TV a, const TX* x, TV c, TV* v) {  \
    RF_PICK(rf_axpy, S, n, a, x, c, v);                                        \
}

RF_DEFINE(double, double, d)
RF_DEFINE(float, float, f)
RF_DEFINE(float, double, fd)

#define RF_DEFINE4(TX, TV, S)                                                 \
/* out[k] = sum_i x_i r_k[i], k = 0..3 */                                      \
static inline void rf_dot4_##S(ptrdiff_t n, const TX* x, const TV* r0,         \
                               const TV* r1, const TV* r2, const TV* r3,       \
                               double* out) {                                  \
    RF_PICK(rf_dot4, S, n, x, r0, r1, r2, r3, out);                            \
}                                                                              \
/* r_k[i] -= a_k x_i - c_k, k = 0..3 */                                        \
static inline void rf_axpy4_##S(ptrdiff_t n, const TV* a, const TX* x,         \
                                const TV* c, TV* r0, TV* r1, TV* r2, TV* r3) { \
    RF_PICK(rf_axpy4, S, n, a, x, c, r0, r1, r2, r3);                          \
}
RF_DEFINE4(double, double, d)
RF_DEFINE4(float, float, f)
RF_DEFINE4(float, double, fd)

#endif
