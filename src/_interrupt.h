/* Cooperative interruption of fits that run without the GIL.
 *
 * A fit started from the main thread polls Python's signal handlers (with
 * the GIL, briefly) at most every REGFAST_POLL seconds, between epochs.
 * Fits in worker threads cannot see signals: the thread that catches the
 * KeyboardInterrupt raises the stop count for as long as it waits for them
 * (regfast._interrupt), and every running fit returns at its next check.
 * Each extension module has its own copy of the counter (static).
 */
#ifndef REGFAST_INTERRUPT_H
#define REGFAST_INTERRUPT_H
#include <stdatomic.h>
#include <time.h>

#define REGFAST_POLL 0.05

static atomic_int regfast_stop_requests = 0;

static inline int regfast_stop_requested(void) {
    return atomic_load_explicit(&regfast_stop_requests, memory_order_relaxed) > 0;
}

static inline void regfast_add_stop_request(int delta) {
    atomic_fetch_add(&regfast_stop_requests, delta);
}

static inline double regfast_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double) t.tv_sec + 1e-9 * (double) t.tv_nsec;
}
#endif
