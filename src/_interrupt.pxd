# cython: language_level=3
# Interruptible fits (see _interrupt.h): a Stopper travels with one fit.
#
#   stopper_init(&s)            with the GIL, before `with nogil:`
#   if should_stop(&s): ...     without the GIL, between epochs, never inside one
#   stopper_raise(&s)           with the GIL, right after `with nogil:` ends

from cpython.ref cimport PyObject

cdef extern from "Python.h":
    # declared here without `except -1`: the handler's exception is taken
    # aside (PyErr_Fetch) until the fit has unwound, then raised
    int PyErr_CheckSignals() noexcept
    void PyErr_Fetch(PyObject** t, PyObject** v, PyObject** tb) noexcept
    void PyErr_Restore(PyObject* t, PyObject* v, PyObject* tb) noexcept

cdef extern from "_interrupt.h" nogil:
    double REGFAST_POLL
    int regfast_stop_requested()
    void regfast_add_stop_request(int delta)
    double regfast_now()

cdef struct Stopper:
    bint main           # started in the main thread: it polls the signal handlers
    bint stopped
    double next_poll    # monotonic time of the next poll
    PyObject* exc[3]    # the signal handler's exception (owned references)


cdef inline void stopper_init(Stopper* s, bint main_thread) noexcept:
    s.main = main_thread
    s.stopped = False
    s.next_poll = regfast_now() + REGFAST_POLL
    s.exc[0] = s.exc[1] = s.exc[2] = NULL


cdef inline bint should_stop(Stopper* s) noexcept nogil:
    """True once the fit must stop; in the main thread the exception that a
    signal handler raised (KeyboardInterrupt) is kept for stopper_raise."""
    cdef double t
    if s.stopped:
        return True
    if regfast_stop_requested():
        s.stopped = True
    elif s.main:
        t = regfast_now()
        if t >= s.next_poll:
            s.next_poll = t + REGFAST_POLL
            with gil:
                if PyErr_CheckSignals() != 0:
                    PyErr_Fetch(&s.exc[0], &s.exc[1], &s.exc[2])
                    s.stopped = True
    return s.stopped


cdef inline int stopper_raise(Stopper* s) except -1:
    """Raise the pending exception of a stopped fit (KeyboardInterrupt in a
    worker thread, which saw only the stop request)."""
    if not s.stopped:
        return 0
    if s.exc[0] != NULL:
        PyErr_Restore(s.exc[0], s.exc[1], s.exc[2])   # steals the references
        s.exc[0] = s.exc[1] = s.exc[2] = NULL
        return -1
    raise KeyboardInterrupt("regfast: the fit was stopped by an interrupt in another thread")
