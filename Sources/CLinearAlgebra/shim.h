#ifndef CITYTWIN_CLINEARALGEBRA_SHIM_H
#define CITYTWIN_CLINEARALGEBRA_SHIM_H
#include <cblas.h>
#include <lapacke.h>

/* glibc's sincos, declared here because <math.h> declares it only under _GNU_SOURCE, and
   defining that in one module's header makes the system headers differ between modules. */
extern void sincos(double x, double *sin_x, double *cos_x);

/// sin and cos of one angle in one libm call (glibc's sincos shares the argument reduction).
static inline void citytwin_sincos(double x, double *s, double *c) { sincos(x, s, c); }

/* OpenBLAS's thread count (declared here too: the cblas.h the system picks may be another
   BLAS's, but the module links OpenBLAS). */
extern void openblas_set_num_threads(int num_threads);
/* Stops OpenBLAS's worker threads (exported by OpenBLAS; used by its own fork handler). */
extern int blas_thread_shutdown_(void);
#endif
